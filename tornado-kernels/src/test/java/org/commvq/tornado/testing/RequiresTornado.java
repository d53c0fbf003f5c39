package org.commvq.tornado.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that run kernels: they are skipped, with the reason printed once, when the JVM was started without
 * the SDK's flags (TORNADOVM_HOME unset) or the TornadoVM runtime has no device.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TornadoCondition.class)
public @interface RequiresTornado {
}
