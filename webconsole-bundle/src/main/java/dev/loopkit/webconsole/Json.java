package dev.loopkit.webconsole;

import java.util.List;

/**
 * A JSON writer for the little the page needs (objects of strings and lists): the Web Console has no
 * JSON library to offer, and one would be a bundle more to ship.
 */
final class Json {

    private final StringBuilder text = new StringBuilder();
    private boolean first = true;

    Json begin() {
        return open('{');
    }

    Json end() {
        return close('}');
    }

    Json key(String key) {
        separate();
        string(key);
        text.append(':');
        first = true;
        return this;
    }

    Json value(String value) {
        separate();
        string(value);
        return this;
    }

    Json strings(List<String> values) {
        open('[');
        values.forEach(this::value);
        return close(']');
    }

    Json table(List<List<String>> rows) {
        open('[');
        rows.forEach(this::strings);
        return close(']');
    }

    private Json open(char bracket) {
        separate();
        text.append(bracket);
        first = true;
        return this;
    }

    private Json close(char bracket) {
        text.append(bracket);
        first = false;
        return this;
    }

    private void separate() {
        if (!first) {
            text.append(',');
        }
        first = false;
    }

    // '<', '>' and '&' escaped too: the page embeds the first snapshot in a <script> element, where
    // "</script>" in a loop's or a bundle's name would otherwise end it.
    private void string(String value) {
        text.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        text.append(String.format("\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        text.append('"');
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
