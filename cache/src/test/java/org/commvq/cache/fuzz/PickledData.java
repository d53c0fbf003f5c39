package org.commvq.cache.fuzz;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.commvq.cache.codebook.pt.TorchTensor;

/** Visits everything an unpickled checkpoint holds, decoding every tensor, as an importer would. */
final class PickledData {
    private PickledData() {
    }

    static void walk(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(root == null ? "None" : root);
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (!seen.add(o)) {
                continue;
            }
            if (o instanceof Map<?, ?> m) {
                m.forEach((k, v) -> push(todo, v));
            } else if (o instanceof List<?> l) {
                l.forEach(v -> push(todo, v));
            } else if (o instanceof TorchTensor t) {
                t.floats();
                if (!t.dtype().floating()) {
                    t.longs();
                }
            }
        }
    }

    private static void push(Deque<Object> todo, Object o) {
        if (o != null) {
            todo.push(o);
        }
    }
}
