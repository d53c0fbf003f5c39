package org.commvq.tornado.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests whose kernels use half floats, which PoCL cannot compile. They run when the default device is a PTX
 * one, or when {@code -Dcommvq.tornado.fp16=true} (or COMMVQ_TORNADO_FP16=1) says the OpenCL device has half floats.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith({TornadoCondition.class, Fp16Condition.class})
public @interface RequiresFp16 {
}
