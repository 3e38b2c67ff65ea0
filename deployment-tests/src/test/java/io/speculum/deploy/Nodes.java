package io.speculum.deploy;

import java.util.List;
import java.util.Map;

/** Navigation in parsed YAML trees: maps, lists and scalars, with a clear failure when a path is missing. */
final class Nodes {

    private Nodes() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        if (node instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException("not a mapping: " + node);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        if (node instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw new IllegalArgumentException("not a sequence: " + node);
    }

    /** The node at a dotted path of mapping keys, or null. */
    static Object at(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    static Map<String, Object> mapAt(Object node, String... keys) {
        Object found = at(node, keys);
        return found == null ? Map.of() : map(found);
    }

    static List<Object> listAt(Object node, String... keys) {
        Object found = at(node, keys);
        return found == null ? List.of() : list(found);
    }

    static String text(Object node, String... keys) {
        Object found = at(node, keys);
        return found == null ? null : String.valueOf(found);
    }
}
