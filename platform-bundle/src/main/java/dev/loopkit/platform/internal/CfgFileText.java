package dev.loopkit.platform.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The text of a {@code .cfg} file (the properties format FileInstall reads) changed to hold given
 * values, the way FileInstall's write-back changes it: comments, blank lines and the entries that
 * keep their value stay as the admin wrote them; a changed entry is written again, an entry whose key
 * is gone is removed, a new key is appended.
 */
final class CfgFileText {

    private CfgFileText() {
    }

    /** The entries of {@code text} as FileInstall's plain values read them: each value a string. */
    static Map<String, String> values(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        } catch (IllegalArgumentException malformed) {
            return Map.of(); // a bad \\u escape: FileInstall cannot read it either; written again in full
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        return values;
    }

    /** {@code text} changed to hold exactly {@code values}. */
    static String withValues(String text, Map<String, String> values) {
        Map<String, String> toWrite = new LinkedHashMap<>(values);
        StringBuilder out = new StringBuilder();
        for (String entry : logicalLines(text)) {
            Map<String, String> parsed = values(entry);
            if (parsed.isEmpty()) {
                out.append(entry); // a comment or a blank line
                continue;
            }
            Map.Entry<String, String> only = parsed.entrySet().iterator().next();
            String key = only.getKey();
            if (!toWrite.containsKey(key)) {
                continue; // removed, or a repeat of a key written above
            }
            String value = toWrite.remove(key);
            out.append(value.equals(only.getValue()) ? entry : line(key, value));
        }
        if (!toWrite.isEmpty() && out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
        toWrite.forEach((key, value) -> out.append(line(key, value)));
        return out.toString();
    }

    // The file's lines, an entry continued with a trailing backslash joined to its next lines; each
    // keeps its line ends.
    private static List<String> logicalLines(String text) {
        List<String> entries = new ArrayList<>();
        StringBuilder entry = new StringBuilder();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end + 1;
            String physical = text.substring(start, end);
            entry.append(physical);
            start = end;
            if (!continues(physical)) {
                entries.add(entry.toString());
                entry.setLength(0);
            }
        }
        if (entry.length() > 0) {
            entries.add(entry.toString());
        }
        return entries;
    }

    // A line that is not a comment and ends in an odd number of backslashes goes on in the next.
    private static boolean continues(String physical) {
        String line = physical.endsWith("\n") ? physical.substring(0, physical.length() - 1) : physical;
        line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        String content = line.stripLeading();
        if (content.startsWith("#") || content.startsWith("!")) {
            return false;
        }
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static String line(String key, String value) {
        return escape(key, true) + " = " + escape(value, false) + "\n";
    }

    // java.util.Properties' escapes, which FileInstall reads the same: what is not ISO-8859-1 printable
    // as \\uXXXX, since FileInstall reads the file as ISO-8859-1.
    private static String escape(String text, boolean key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e && c < 0xa0 || c > 0xff) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
