package com.cloudgreet.relay.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Other spellings of one canonical path, as an attacker tries them against access control that
 * compares strings: percent-encoded letters, an encoded slash, double encoding, matrix parameters
 * on each segment, empty and dot segments, a trailing slash, upper case. (A backslash is not among
 * them: Reactor Netty's request decoder answers {@code 400} to it before any application code runs.)
 */
public final class PathSpellings {

	private PathSpellings() {
	}

	/** The spellings of {@code canonical} ({@code /a/b/c}), the canonical one excluded. */
	public static List<String> of(String canonical) {
		String[] segments = canonical.substring(1).split("/");
		Set<String> spellings = new LinkedHashSet<>();
		for (int i = 0; i < segments.length; i++) {
			String segment = segments[i];
			spellings.add(replace(segments, i, percent(segment.charAt(0)) + segment.substring(1)));
			spellings.add(replace(segments, i, percent(segment.charAt(0)).toLowerCase(Locale.ROOT) + segment.substring(1)));
			spellings.add(replace(segments, i, "%25" + hex(segment.charAt(0)) + segment.substring(1)));
			spellings.add(replace(segments, i, encodeAll(segment)));
			spellings.add(replace(segments, i, segment + ";x=1"));
			spellings.add(replace(segments, i, segment + ";"));
			spellings.add(replace(segments, i, segment.toUpperCase(Locale.ROOT)));
			if (i > 0) {
				spellings.add(join(segments, i, "%2F"));
				spellings.add(join(segments, i, "%2f"));
				spellings.add(join(segments, i, "//"));
				spellings.add(join(segments, i, "/./"));
				spellings.add(join(segments, i, "/x/../"));
				spellings.add(join(segments, i, "/%2e/"));
			}
		}
		spellings.add("/" + canonical);
		spellings.add("/." + canonical);
		spellings.add("/x/.." + canonical);
		spellings.add(canonical + "/");
		spellings.add(canonical + "/.");
		spellings.add(canonical.toUpperCase(Locale.ROOT));
		spellings.remove(canonical);
		return new ArrayList<>(spellings);
	}

	private static String replace(String[] segments, int index, String replacement) {
		String[] copy = segments.clone();
		copy[index] = replacement;
		return "/" + String.join("/", copy);
	}

	/** The path with the separator before segment {@code index} written as {@code separator}. */
	private static String join(String[] segments, int index, String separator) {
		StringBuilder path = new StringBuilder();
		for (int i = 0; i < segments.length; i++) {
			path.append(i == index ? separator : "/").append(segments[i]);
		}
		return path.toString();
	}

	private static String encodeAll(String segment) {
		StringBuilder encoded = new StringBuilder();
		segment.chars().forEach((c) -> encoded.append(percent((char) c)));
		return encoded.toString();
	}

	private static String percent(char c) {
		return "%" + hex(c);
	}

	private static String hex(char c) {
		return String.format("%02X", (int) c);
	}

}
