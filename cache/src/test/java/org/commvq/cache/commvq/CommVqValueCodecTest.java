package org.commvq.cache.commvq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Spec §4 oracles 7 (values) and 10 (value bits), the GELU's erf, and parameter round trips. */
class CommVqValueCodecTest {
    private static final int WIDTH = 256;

    @Test
    void categoryMapIsTheOfficialOne() {
        assertEquals(0b01, CommVqPacking.categoryBits(0));
        assertEquals(0b10, CommVqPacking.categoryBits(1));
        assertEquals(0b11, CommVqPacking.categoryBits(2));
        assertEquals(0b00, CommVqPacking.categoryBits(3));
    }

    @Test
    void quantizeWritesTheArgmaxCategoryOfEveryGroup() {
        CommVqValueParameters p = CommVqFixtures.randomValueParameters(WIDTH, 1, 21);
        CommVqValueCodec codec = new CommVqValueCodec(p);
        float[] value = CommVqFixtures.gaussians(new SplittableRandom(22), WIDTH, 1.0);
        byte[] packed = new byte[codec.packedBytes()];
        codec.encode(value, 0, 1, packed, 0, new float[1], 0, null);
        float[] logits = referenceLogits(p, value);
        int compared = 0;
        for (int g = 0; g < codec.codeBits() / 2; g++) {
            int best = 0;
            for (int k = 1; k < 4; k++) {
                if (logits[4 * g + k] > logits[4 * g + best]) {
                    best = k;
                }
            }
            float runnerUp = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < 4; k++) {
                if (k != best) {
                    runnerUp = Math.max(runnerUp, logits[4 * g + k]);
                }
            }
            if (logits[4 * g + best] - runnerUp < 1e-4f) {
                continue;
            }
            compared++;
            int pair = CommVqPacking.categoryBits(best);
            assertEquals((pair & 1) != 0, CommVqPacking.bit(packed, 0, 2 * g), "group " + g);
            assertEquals((pair & 2) != 0, CommVqPacking.bit(packed, 0, 2 * g + 1), "group " + g);
        }
        assertTrue(compared > codec.codeBits() / 2 - 3, "groups away from a tie: " + compared);
    }

    @Test
    void bitsPackLsbFirstAndRoundTrip() {
        SplittableRandom random = new SplittableRandom(23);
        byte[] bits = new byte[2048];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) random.nextInt(2);
        }
        byte[] packed = new byte[256];
        CommVqPacking.packBits(bits, bits.length, packed, 0);
        for (int i = 0; i < bits.length; i++) {
            assertEquals(bits[i], (packed[i / 8] >> (i % 8)) & 1, "bit " + i);
        }
        byte[] back = new byte[bits.length];
        CommVqPacking.unpackBits(packed, 0, bits.length, back);
        assertArrayEquals(bits, back);
        byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
        CommVqPacking.packBits(one, 8, packed, 0);
        assertEquals(1, packed[0]);
    }

    @Test
    void twelveBitCodesPackTwoPerThreeBytes() {
        SplittableRandom random = new SplittableRandom(24);
        int[] codes = new int[11 * 128];
        byte[] bytes = new byte[CommVqPacking.code12Bytes(codes.length)];
        assertEquals(codes.length * 3 / 2, bytes.length);
        for (int i = 0; i < codes.length; i++) {
            codes[i] = random.nextInt(4096);
            CommVqPacking.writeCode12(bytes, 0, i, codes[i]);
        }
        for (int i = 0; i < codes.length; i++) {
            assertEquals(codes[i], CommVqPacking.readCode12(bytes, 0, i), "code " + i);
        }
    }

    @Test
    void bitCountIsWidthTimesBits() {
        for (int bits = 1; bits <= 2; bits++) {
            CommVqValueCodec codec = new CommVqValueCodec(CommVqFixtures.randomValueParameters(WIDTH, bits, 25));
            assertEquals(WIDTH * bits, codec.codeBits());
            assertEquals(WIDTH * bits / 8, codec.packedBytes());
            assertEquals(bits, codec.bits());
        }
    }

    @Test
    void withUnitScaleDecodedNormEqualsPrescale() {
        CommVqValueParameters random = CommVqFixtures.randomValueParameters(WIDTH, 2, 26);
        float[] ones = new float[WIDTH];
        Arrays.fill(ones, 1f);
        CommVqValueCodec codec = new CommVqValueCodec(new CommVqValueParameters(random.embedding(),
                random.normWeight(), random.normBias(), random.enc1Weight(), random.enc1Bias(), random.outWeight(),
                random.outBias(), ones));
        int tokens = 20;
        float[] values = CommVqFixtures.gaussians(new SplittableRandom(27), tokens * WIDTH, 2.0);
        byte[] packed = new byte[tokens * codec.packedBytes()];
        float[] sigma = new float[tokens];
        float[] prescale = new float[tokens];
        codec.encode(values, 0, tokens, packed, 0, sigma, 0, prescale);
        for (int t = 0; t < tokens; t++) {
            float[] decoded = new float[WIDTH];
            codec.decode(packed, t * codec.packedBytes(), sigma[t], decoded, 0);
            double sq = 0;
            double vsq = 0;
            for (int i = 0; i < WIDTH; i++) {
                sq += decoded[i] * decoded[i];
                vsq += values[t * WIDTH + i] * values[t * WIDTH + i];
            }
            assertEquals(Math.sqrt(vsq), prescale[t], 1e-5 * prescale[t]);
            assertEquals(prescale[t], Math.sqrt(sq), 1e-5 * prescale[t], "token " + t);
        }
    }

    @Test
    void blockEncodingEqualsPerTokenEncodingAndRepeats() {
        CommVqValueCodec codec = new CommVqValueCodec(CommVqFixtures.randomValueParameters(WIDTH, 1, 28));
        int tokens = 128;
        int bytes = codec.packedBytes();
        float[] values = CommVqFixtures.gaussians(new SplittableRandom(29), tokens * WIDTH, 1.5);
        byte[] packed = new byte[tokens * bytes];
        float[] sigma = new float[tokens];
        codec.encode(values, 0, tokens, packed, 0, sigma, 0, null);
        byte[] again = new byte[packed.length];
        float[] againSigma = new float[tokens];
        codec.encode(values, 0, tokens, again, 0, againSigma, 0, null);
        assertArrayEquals(packed, again);
        assertArrayEquals(sigma, againSigma);
        for (int t = 0; t < tokens; t += 7) {
            byte[] single = new byte[bytes];
            float[] singleSigma = new float[1];
            codec.encode(values, t * WIDTH, 1, single, 0, singleSigma, 0, null);
            assertArrayEquals(Arrays.copyOfRange(packed, t * bytes, (t + 1) * bytes), single, "token " + t);
            assertEquals(sigma[t], singleSigma[0], "token " + t);
        }
    }

    @Test
    void erfMatchesReferenceValues() {
        double[] z = {0.1, 0.5, 1, 2, 2.4999, 2.5, 3, 4, 5};
        double[] erf = {0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527,
                0.9995928300996666, 0.999593047982555, 0.9999779095030014, 0.9999999845827421, 0.9999999999984626};
        double[] erfc = {0.8875370839817152, 0.4795001221869535, 0.15729920705028513, 0.004677734981047265,
                0.0004071699003334514, 0.0004069520174449589, 2.2090496998585438e-05, 1.541725790028002e-08,
                1.5374597944280351e-12};
        for (int i = 0; i < z.length; i++) {
            assertEquals(erf[i], CommVqGelu.erfAbs(z[i]), 1e-14, "erf " + z[i]);
            assertEquals(erfc[i], CommVqGelu.erfc(z[i]), 1e-10 * erfc[i], "erfc " + z[i]);
        }
        assertEquals(0f, CommVqGelu.gelu(0f));
        assertEquals(0.8413447460685429 * 1, CommVqGelu.gelu(1f), 1e-7);
        assertEquals(-0.15865525393145707 * 1, CommVqGelu.gelu(-1f), 1e-7);
    }

    @Test
    void parametersRoundTripThroughTensorsAndTransposes() {
        CommVqValueParameters p = CommVqFixtures.randomValueParameters(WIDTH, 1, 30);
        Map<String, CommVqTensor> tensors = p.toTensors("layers.0.value.");
        assertArrayEquals(new int[] {512, 256}, tensors.get("layers.0.value.enc1.weight").shape());
        assertArrayEquals(new int[] {512, 512}, tensors.get("layers.0.value.out.weight").shape());
        CommVqValueParameters back = new CommVqValueCodec(
                CommVqValueParameters.fromTensors(tensors, "layers.0.value.")).parameters();
        assertArrayEquals(p.enc1Weight(), back.enc1Weight());
        assertArrayEquals(p.outWeight(), back.outWeight());
        assertArrayEquals(p.embedding(), back.embedding());
    }

    /** The encoder's logits in plain double loops from the official [out][in] weights. */
    private static float[] referenceLogits(CommVqValueParameters p, float[] v) {
        int f = p.featureDim();
        double[] u = new double[f];
        double sq = 0;
        for (int i = 0; i < f; i++) {
            u[i] = v[i] / (p.scale()[i] + 1e-6);
            sq += u[i] * u[i];
        }
        double norm = Math.sqrt(sq) + 1e-6;
        double mean = 0;
        for (int i = 0; i < f; i++) {
            u[i] /= norm;
            mean += u[i] / f;
        }
        double var = 0;
        for (int i = 0; i < f; i++) {
            var += (u[i] - mean) * (u[i] - mean) / f;
        }
        for (int i = 0; i < f; i++) {
            u[i] = (u[i] - mean) / Math.sqrt(var + 1e-5) * p.normWeight()[i] + p.normBias()[i];
        }
        int hidden = p.hiddenDim();
        double[] h = new double[hidden];
        for (int o = 0; o < hidden; o++) {
            double s = p.enc1Bias()[o];
            for (int i = 0; i < f; i++) {
                s += p.enc1Weight()[o * f + i] * u[i];
            }
            h[o] = 0.5 * s * (1 + (s >= 0 ? 1 : -1) * CommVqGelu.erfAbs(Math.abs(s) / Math.sqrt(2)));
        }
        int out = p.outBias().length;
        float[] logits = new float[out];
        for (int o = 0; o < out; o++) {
            double s = p.outBias()[o];
            for (int i = 0; i < hidden; i++) {
                s += p.outWeight()[o * hidden + i] * h[i];
            }
            logits[o] = (float) s;
        }
        return logits;
    }
}
