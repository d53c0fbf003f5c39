package org.commvq.model.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/** Little-endian, buffered output of GGUF primitives, metadata values and raw tensor bytes to a channel. */
final class GgufOutput {
    private final WritableByteChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    /** The whole buffer, addressed from its start whatever the buffer's position. */
    private final MemorySegment bufferBytes = MemorySegment.ofBuffer(buffer);
    private long position;

    GgufOutput(WritableByteChannel channel) {
        this.channel = channel;
    }

    long position() {
        return position;
    }

    void writeByte(int v) throws IOException {
        room(1).put((byte) v);
        position += 1;
    }

    void writeShort(short v) throws IOException {
        room(2).putShort(v);
        position += 2;
    }

    void writeInt(int v) throws IOException {
        room(4).putInt(v);
        position += 4;
    }

    void writeLong(long v) throws IOException {
        room(8).putLong(v);
        position += 8;
    }

    void writeString(String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeLong(bytes.length);
        writeBytes(MemorySegment.ofArray(bytes));
    }

    void writeBytes(MemorySegment bytes) throws IOException {
        long done = 0;
        while (done < bytes.byteSize()) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            int n = (int) Math.min(buffer.remaining(), bytes.byteSize() - done);
            MemorySegment.copy(bytes, done, bufferBytes, buffer.position(), n);
            buffer.position(buffer.position() + n);
            done += n;
        }
        position += bytes.byteSize();
    }

    /** Writes zero bytes up to the given file position. */
    void padTo(long target) throws IOException {
        if (target < position) {
            throw new IllegalStateException("cannot pad backwards from " + position + " to " + target);
        }
        while (position < target) {
            writeByte(0);
        }
    }

    void writeValue(GgufValue v) throws IOException {
        switch (v.type()) {
            case UINT8, INT8 -> writeByte(((Long) v.value()).intValue());
            case UINT16, INT16 -> writeShort(((Long) v.value()).shortValue());
            case UINT32, INT32 -> writeInt(((Long) v.value()).intValue());
            case UINT64, INT64 -> writeLong((Long) v.value());
            case FLOAT32 -> writeInt(Float.floatToRawIntBits((Float) v.value()));
            case FLOAT64 -> writeLong(Double.doubleToRawLongBits((Double) v.value()));
            case BOOL -> writeByte((Boolean) v.value() ? 1 : 0);
            case STRING -> writeString((String) v.value());
            case ARRAY -> writeArray((GgufArray) v.value());
        }
    }

    private void writeArray(GgufArray a) throws IOException {
        writeInt(a.elementType().id());
        writeLong(a.size());
        Object values = a.rawValues();
        switch (a.elementType()) {
            case UINT8, INT8 -> writeBytes(MemorySegment.ofArray((byte[]) values));
            case UINT16, INT16 -> {
                for (short v : (short[]) values) {
                    writeShort(v);
                }
            }
            case UINT32, INT32 -> {
                for (int v : (int[]) values) {
                    writeInt(v);
                }
            }
            case UINT64, INT64 -> {
                for (long v : (long[]) values) {
                    writeLong(v);
                }
            }
            case FLOAT32 -> {
                for (float v : (float[]) values) {
                    writeInt(Float.floatToRawIntBits(v));
                }
            }
            case FLOAT64 -> {
                for (double v : (double[]) values) {
                    writeLong(Double.doubleToRawLongBits(v));
                }
            }
            case BOOL -> {
                for (boolean v : (boolean[]) values) {
                    writeByte(v ? 1 : 0);
                }
            }
            case STRING -> {
                for (String v : (String[]) values) {
                    writeString(v);
                }
            }
            case ARRAY -> {
                for (GgufArray v : (GgufArray[]) values) {
                    writeArray(v);
                }
            }
        }
    }

    void flush() throws IOException {
        drain();
    }

    private ByteBuffer room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            drain();
        }
        return buffer;
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
