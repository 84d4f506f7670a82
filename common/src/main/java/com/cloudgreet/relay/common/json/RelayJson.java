package com.cloudgreet.relay.common.json;

import java.util.List;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.Violation;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relay's JSON mapping, shared by every service so HTTP bodies and Kafka records are read by the
 * same strict rules: unknown fields, duplicate keys, trailing garbage and type mismatches are
 * rejected, and every rejection becomes an {@link InvalidMessageException} whose violations point
 * at the offending field.
 */
public final class RelayJson {

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.disable(tools.jackson.databind.cfg.DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private RelayJson() {
	}

	public static JsonMapper mapper() {
		return MAPPER;
	}

	/** Reads {@code json} as {@code type}, or throws {@link InvalidMessageException} saying exactly why not. */
	public static <T> T read(byte[] json, Class<T> type) {
		if (json == null || json.length == 0) {
			throw InvalidMessageException.of("", "body is empty; a JSON object is required");
		}
		try {
			return MAPPER.readValue(json, type);
		}
		catch (JacksonException ex) {
			throw translate(ex);
		}
	}

	/** Converts a JSON tree (e.g. a CloudEvent's {@code data}) to {@code type} under the same rules. */
	public static <T> T convert(JsonNode node, Class<T> type) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			throw InvalidMessageException.of("", "is required");
		}
		try {
			return MAPPER.treeToValue(node, type);
		}
		catch (JacksonException ex) {
			throw translate(ex);
		}
	}

	public static byte[] write(Object value) {
		return MAPPER.writeValueAsBytes(value);
	}

	/** The length in bytes of {@code value}'s JSON (UTF-8), counted as it is written, never held. */
	public static long size(Object value) {
		ByteCounter counter = new ByteCounter();
		MAPPER.writeValue(counter, value);
		return counter.count;
	}

	private static final class ByteCounter extends java.io.OutputStream {

		private long count;

		@Override
		public void write(int b) {
			this.count++;
		}

		@Override
		public void write(byte[] b, int off, int len) {
			this.count += len;
		}

	}

	public static JsonNode tree(Object value) {
		return MAPPER.valueToTree(value);
	}

	static InvalidMessageException translate(JacksonException ex) {
		String pointer = pointer(ex.getPath());
		if (ex instanceof ValueInstantiationException && ex.getCause() instanceof InvalidMessageException invalid) {
			return invalid.nestedUnder(pointer);
		}
		if (ex instanceof UnrecognizedPropertyException unknown) {
			return InvalidMessageException.of(pointer, "is not a known field");
		}
		if (ex instanceof StreamConstraintsException) {
			// Nesting depth, number or string length beyond Jackson's limits: hostile rather than wrong.
			return InvalidMessageException.of(pointer, "malformed JSON: " + firstLine(ex.getOriginalMessage()));
		}
		if (ex instanceof StreamReadException || isTrailingData(ex)) {
			return malformed(pointer, ex);
		}
		if (ex instanceof InvalidFormatException || ex instanceof MismatchedInputException) {
			MismatchedInputException mismatch = (MismatchedInputException) ex;
			String expected = mismatch.getTargetType() == null ? "another type" : describe(mismatch.getTargetType());
			if (pointer.isEmpty() && firstLine(ex.getOriginalMessage()).startsWith("No content")) {
				return InvalidMessageException.of("", "body is empty; a JSON object is required");
			}
			return InvalidMessageException.of(pointer, "has the wrong type, expected " + expected);
		}
		return new InvalidMessageException(List.of(new Violation(pointer, firstLine(ex.getOriginalMessage()))));
	}

	private static InvalidMessageException malformed(String pointer, JacksonException ex) {
		var location = ex.getLocation();
		String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
		return InvalidMessageException.of(pointer, "malformed JSON" + where + ": " + firstLine(ex.getOriginalMessage()));
	}

	/** {@code FAIL_ON_TRAILING_TOKENS} reports a second value after the document as a type mismatch. */
	private static boolean isTrailingData(JacksonException ex) {
		return ex instanceof MismatchedInputException && firstLine(ex.getOriginalMessage()).startsWith("Trailing token");
	}

	private static String describe(Class<?> type) {
		if (type == String.class) {
			return "a string";
		}
		if (List.class.isAssignableFrom(type) || type.isArray()) {
			return "an array";
		}
		if (java.util.Map.class.isAssignableFrom(type) || type.isRecord() || JsonNode.class.isAssignableFrom(type)) {
			return "an object";
		}
		if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
			return "a number";
		}
		if (type == java.time.Instant.class) {
			return "an RFC 3339 date-time such as 2026-12-01T10:00:00Z";
		}
		return type.getSimpleName();
	}

	private static String pointer(List<JacksonException.Reference> path) {
		return path.stream()
			.map((ref) -> ref.getPropertyName() != null ? ref.getPropertyName() : String.valueOf(ref.getIndex()))
			.map((segment) -> "/" + segment.replace("~", "~0").replace("/", "~1"))
			.collect(Collectors.joining());
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "unreadable input";
		}
		int newline = message.indexOf('\n');
		return newline < 0 ? message : message.substring(0, newline);
	}

}
