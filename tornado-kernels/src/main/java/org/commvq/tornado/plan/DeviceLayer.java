package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.commvq.model.forward.LayerWeights;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** One transformer block's weights on the device, uploaded once from the CPU model's {@link LayerWeights}. */
public record DeviceLayer(FloatArray attnNorm, DeviceMatrix wq, DeviceMatrix wk, DeviceMatrix wv, DeviceMatrix wo,
                          FloatArray ffnNorm, DeviceMatrix wGate, DeviceMatrix wUp, DeviceMatrix wDown) {

    public static DeviceLayer upload(LayerWeights w, WeightFormat format, String prefix, DeviceMemoryBudget budget) {
        return new DeviceLayer(
                vector(w.attnNorm(), prefix + ".attnNorm", budget),
                WeightUpload.upload(w.wq(), format, prefix + ".wq", budget),
                WeightUpload.upload(w.wk(), format, prefix + ".wk", budget),
                WeightUpload.upload(w.wv(), format, prefix + ".wv", budget),
                WeightUpload.upload(w.wo(), format, prefix + ".wo", budget),
                vector(w.ffnNorm(), prefix + ".ffnNorm", budget),
                WeightUpload.upload(w.wGate(), format, prefix + ".wGate", budget),
                WeightUpload.upload(w.wUp(), format, prefix + ".wUp", budget),
                WeightUpload.upload(w.wDown(), format, prefix + ".wDown", budget));
    }

    /** Every array of the layer, for one FIRST_EXECUTION transfer. */
    public Object[] arrays() {
        List<Object> all = new ArrayList<>();
        all.add(attnNorm);
        all.add(ffnNorm);
        for (DeviceMatrix m : new DeviceMatrix[] {wq, wk, wv, wo, wGate, wUp, wDown}) {
            all.addAll(List.of(m.arrays()));
        }
        return all.toArray();
    }

    private static FloatArray vector(float[] values, String name, DeviceMemoryBudget budget) {
        FloatArray a = budget.floats(name, values.length);
        MemorySegment.copy(values, 0, a.getSegment(), ValueLayout.JAVA_FLOAT, 0, values.length);
        return a;
    }
}
