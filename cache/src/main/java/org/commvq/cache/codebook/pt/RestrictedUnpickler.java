package org.commvq.cache.codebook.pt;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the pickle of a {@code torch.save} checkpoint into plain Java data — String, Long, Double, Boolean, null,
 * List (lists and tuples), Map (dicts and OrderedDicts), {@link TorchTensor} — and refuses everything else.
 *
 * <p>A pickle is a program: GLOBAL names any importable callable and REDUCE calls it. This reader runs no code at
 * all; it knows a fixed list of globals (the tensor rebuilders, the storage classes, dtypes and OrderedDict) and
 * builds their result itself. Any other global, REDUCE on anything but those rebuilders, and the object-building
 * opcodes (INST, OBJ, NEWOBJ, EXT*) are refused with the opcode or global named. Memo, stack, nesting and string
 * sizes are capped, so a hostile stream cannot exhaust memory either.
 */
public final class RestrictedUnpickler {
    public static final int MAX_STACK = 100_000;
    public static final int MAX_MARKS = 1_000;
    public static final int MAX_MEMO = 1_000_000;
    public static final int MAX_STRING_BYTES = 1 << 20;
    private static final int MAX_GLOBAL_CHARS = 256;
    private static final String ALLOWED = "only torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, "
            + "torch storage classes and dtypes, and collections.OrderedDict are allowed";

    /** Resolves a storage persistent id ('storage', type, key, location, numel) to its blob. */
    @FunctionalInterface
    public interface StorageLoader {
        TorchStorage load(TorchDtype dtype, String key, long numel);
    }

    private enum Callable { REBUILD_TENSOR_V2, REBUILD_PARAMETER, ORDERED_DICT }

    private record StorageType(TorchDtype dtype) {
    }

    private final byte[] in;
    private final StorageLoader loader;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayDeque<Integer> marks = new ArrayDeque<>();
    private final HashMap<Long, Object> memo = new HashMap<>();
    private int pos;
    private int at;

    private RestrictedUnpickler(byte[] in, StorageLoader loader) {
        this.in = in;
        this.loader = loader;
    }

    /** A plain pickle: persistent ids (storages) are refused. */
    public static Object load(byte[] pickle) {
        return new RestrictedUnpickler(pickle, null).run();
    }

    /** A checkpoint's data.pkl, storages resolved by {@code loader}. */
    public static Object load(byte[] pickle, StorageLoader loader) {
        return new RestrictedUnpickler(pickle, loader).run();
    }

    private Object run() {
        while (true) {
            at = pos;
            int b = u8();
            PickleOpcode op = PickleOpcode.of(b);
            if (op == null) {
                throw fail("unknown opcode 0x" + Integer.toHexString(b));
            }
            switch (op) {
                case PROTO -> {
                    int version = u8();
                    if (version < 2 || version > 5) {
                        throw fail("pickle protocol " + version + " is not supported (2..5)");
                    }
                }
                case FRAME -> length(8);
                case STOP -> {
                    return pop();
                }
                case MARK -> {
                    if (marks.size() >= MAX_MARKS) {
                        throw fail("more than " + MAX_MARKS + " nested MARKs");
                    }
                    marks.push(stack.size());
                }
                case EMPTY_DICT -> push(new LinkedHashMap<>());
                case EMPTY_LIST -> push(new ArrayList<>());
                case EMPTY_TUPLE -> push(List.of());
                case NONE -> push(null);
                case NEWTRUE -> push(Boolean.TRUE);
                case NEWFALSE -> push(Boolean.FALSE);
                case BININT -> push((long) i32());
                case BININT1 -> push((long) u8());
                case BININT2 -> push((long) (u8() | u8() << 8));
                case LONG1 -> push(long1());
                case BINFLOAT -> push(Double.longBitsToDouble(bigEndian64()));
                case BINUNICODE -> push(string(length(4)));
                case SHORT_BINUNICODE -> push(string(u8()));
                case BINUNICODE8 -> push(string(length(8)));
                case TUPLE1 -> push(tuple(popN(1)));
                case TUPLE2 -> push(tuple(popN(2)));
                case TUPLE3 -> push(tuple(popN(3)));
                case TUPLE -> push(tuple(popMark()));
                case APPEND -> {
                    Object item = pop();
                    list(top()).add(item);
                }
                case APPENDS -> {
                    List<Object> items = popMark();
                    list(top()).addAll(items);
                }
                case SETITEM -> {
                    Object value = pop();
                    Object key = pop();
                    put(dict(top()), key, value);
                }
                case SETITEMS -> {
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) {
                        throw fail("SETITEMS with an odd number of items");
                    }
                    Map<Object, Object> d = dict(top());
                    for (int i = 0; i < items.size(); i += 2) {
                        put(d, items.get(i), items.get(i + 1));
                    }
                }
                case BINPUT -> memoPut(u8());
                case LONG_BINPUT -> memoPut(i32() & 0xFFFFFFFFL);
                case MEMOIZE -> memoPut(memo.size());
                case BINGET -> push(memoGet(u8()));
                case LONG_BINGET -> push(memoGet(i32() & 0xFFFFFFFFL));
                case GLOBAL -> {
                    String module = line();
                    String name = line();
                    push(global(module, name));
                }
                case STACK_GLOBAL -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n));
                }
                case REDUCE -> {
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case BUILD -> {
                    Object state = pop();
                    build(top(), state);
                }
                case BINPERSID -> push(persistent(pop()));
                default -> throw fail("refused opcode " + op.describe());
            }
        }
    }

    private Object global(String module, String name) {
        String full = module + "." + name;
        switch (full) {
            case "torch._utils._rebuild_tensor_v2" -> {
                return Callable.REBUILD_TENSOR_V2;
            }
            case "torch._utils._rebuild_parameter" -> {
                return Callable.REBUILD_PARAMETER;
            }
            case "collections.OrderedDict" -> {
                return Callable.ORDERED_DICT;
            }
            case "torch.UntypedStorage", "torch.storage.UntypedStorage" -> {
                return new StorageType(TorchDtype.UINT8);
            }
            default -> {
                if (module.equals("torch")) {
                    var storage = TorchDtype.ofStorageClass(name);
                    if (storage.isPresent()) {
                        return new StorageType(storage.get());
                    }
                    var dtype = TorchDtype.ofDtypeName(name);
                    if (dtype.isPresent()) {
                        return dtype.get();
                    }
                }
                throw fail("refused global " + full + " (" + ALLOWED + ")");
            }
        }
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Callable c)) {
            throw fail("refused REDUCE on " + describe(callable));
        }
        if (!(args instanceof List<?> a)) {
            throw fail("REDUCE arguments must be a tuple, got " + describe(args));
        }
        return switch (c) {
            case ORDERED_DICT -> {
                if (!a.isEmpty()) {
                    throw fail("refused collections.OrderedDict with constructor arguments");
                }
                yield new LinkedHashMap<>();
            }
            case REBUILD_TENSOR_V2 -> rebuildTensor(a);
            case REBUILD_PARAMETER -> {
                if (a.size() != 3 || !(a.get(0) instanceof TorchTensor t)) {
                    throw fail("_rebuild_parameter expects (tensor, requires_grad, hooks)");
                }
                yield t;
            }
        };
    }

    private TorchTensor rebuildTensor(List<?> a) {
        if (a.size() != 6 && a.size() != 7) {
            throw fail("_rebuild_tensor_v2 expects 6 or 7 arguments, got " + a.size());
        }
        if (!(a.get(0) instanceof TorchStorage storage) || !(a.get(1) instanceof Long offset)) {
            throw fail("_rebuild_tensor_v2 expects (storage, offset, size, stride, ...)");
        }
        if (a.get(5) instanceof Map<?, ?> hooks && !hooks.isEmpty()) {
            throw fail("refused tensor with backward hooks");
        }
        TorchTensor t;
        try {
            t = new TorchTensor(storage, offset, longs(a.get(2), "size"), longs(a.get(3), "stride"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw fail(e.getMessage());
        }
        // Zero strides let a few stored bytes claim 2^31 elements, which decoding would allocate.
        if (t.numel() > storage.numel()) {
            throw fail("tensor of " + t.numel() + " elements views a storage of " + storage.numel()
                    + " (an expanded view); only views no larger than their storage are read");
        }
        return t;
    }

    private long[] longs(Object o, String what) {
        if (!(o instanceof List<?> list)) {
            throw fail("tensor " + what + " must be a tuple of integers");
        }
        long[] x = new long[list.size()];
        for (int i = 0; i < x.length; i++) {
            if (!(list.get(i) instanceof Long v)) {
                throw fail("tensor " + what + " must be a tuple of integers");
            }
            x[i] = v;
        }
        return x;
    }

    private void build(Object target, Object state) {
        boolean emptyState = state == null || state instanceof Map<?, ?> m && m.isEmpty()
                || state instanceof List<?> l && l.isEmpty();
        if (!(target instanceof Map || target instanceof TorchTensor) || !emptyState) {
            throw fail("refused BUILD of " + describe(target) + " with state " + describe(state));
        }
    }

    private Object persistent(Object pid) {
        if (loader == null) {
            throw fail("refused BINPERSID: persistent ids only resolve inside a torch checkpoint archive");
        }
        if (!(pid instanceof List<?> id) || id.size() != 5 || !"storage".equals(id.get(0))
                || !(id.get(1) instanceof StorageType type) || !(id.get(2) instanceof String key)
                || !(id.get(4) instanceof Long numel)) {
            throw fail("unsupported persistent id " + describe(pid) + " (expected ('storage', type, key, location, numel))");
        }
        if (numel < 0 || numel > Integer.MAX_VALUE) {
            throw fail("storage " + key + " claims " + numel + " elements");
        }
        return loader.load(type.dtype(), key, numel);
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof StorageType s) {
            return "torch." + s.dtype().storageClass();
        }
        if (o instanceof TorchDtype d) {
            return "torch." + d.dtypeName();
        }
        if (o instanceof Callable c) {
            return c.name();
        }
        if (o instanceof List<?> l) {
            return "a tuple/list of " + l.size();
        }
        if (o instanceof Map<?, ?> m) {
            return "a dict of " + m.size();
        }
        return "a " + o.getClass().getSimpleName();
    }

    private void put(Map<Object, Object> d, Object key, Object value) {
        if (!(key instanceof String || key instanceof Long || key instanceof Double || key instanceof Boolean)) {
            throw fail("refused dict key " + describe(key) + " (only strings and numbers)");
        }
        d.put(key, value);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (!(o instanceof Map)) {
            throw fail("SETITEM(S) on " + describe(o) + ", not a dict");
        }
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof ArrayList)) {
            throw fail("APPEND(S) on " + describe(o) + ", not a list");
        }
        return (List<Object>) o;
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    private void memoPut(long index) {
        if (index >= MAX_MEMO || (memo.size() >= MAX_MEMO && !memo.containsKey(index))) {
            throw fail("memo exceeds " + MAX_MEMO + " entries");
        }
        memo.put(index, top());
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw fail("memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) {
            throw fail("stack exceeds " + MAX_STACK + " items");
        }
        stack.add(o);
    }

    private int fence() {
        return marks.isEmpty() ? 0 : marks.peek();
    }

    private Object pop() {
        if (stack.size() <= fence()) {
            throw fail("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.size() <= fence()) {
            throw fail("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        if (stack.size() - n < fence()) {
            throw fail("stack underflow");
        }
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        return items;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("no MARK to pop to");
        }
        int mark = marks.pop();
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private int u8() {
        if (pos >= in.length) {
            throw fail("pickle ends without STOP");
        }
        return in[pos++] & 0xFF;
    }

    private int i32() {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    /** A little-endian length of 4 or 8 bytes, checked against what is left of the stream. */
    private int length(int bytes) {
        long n = 0;
        for (int i = 0; i < bytes; i++) {
            n |= (long) u8() << (8 * i);
        }
        if (n < 0 || n > in.length - pos) {
            throw fail("length " + Long.toUnsignedString(n) + " runs past the end of the pickle");
        }
        return (int) n;
    }

    private long bigEndian64() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | u8();
        }
        return v;
    }

    private long long1() {
        int n = u8();
        if (n > 8) {
            throw fail("integer of " + n + " bytes does not fit in 64 bits");
        }
        if (n > in.length - pos) {
            throw fail("pickle ends without STOP");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) u8() << (8 * i);
        }
        if (n > 0 && n < 8 && (in[pos - 1] & 0x80) != 0) {
            v -= 1L << (8 * n);
        }
        return v;
    }

    private String string(int n) {
        if (n > MAX_STRING_BYTES) {
            throw fail("string of " + n + " bytes exceeds " + MAX_STRING_BYTES);
        }
        if (n > in.length - pos) {
            throw fail("string runs past the end of the pickle");
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw fail("string is not valid UTF-8");
        }
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            if (pos - start >= MAX_GLOBAL_CHARS || in[pos] < 0x20 || in[pos] > 0x7e) {
                throw fail("GLOBAL name is not a short printable ASCII line");
            }
            pos++;
        }
        if (pos >= in.length) {
            throw fail("GLOBAL name runs past the end of the pickle");
        }
        String s = new String(in, start, pos - start, StandardCharsets.US_ASCII);
        pos++;
        return s;
    }

    private PickleException fail(String problem) {
        return new PickleException("pickle byte " + at + ": " + problem);
    }
}
