package com.cloudgreet.relay.common.privacy;

import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * {@code toString} for configuration records that hold secrets: the record's usual form with the
 * named components masked. Configuration is printed where nobody means to publish it (a failed
 * bind, a debug dump of the context, an actuator endpoint), so a secret must not survive that.
 * A masked string shows only whether it is set; a masked map keeps its keys (key ids are not secret).
 */
public final class RedactedToString {

	static final String MASK = "***";

	private RedactedToString() {
	}

	public static String of(Record record, String... secretComponents) {
		Set<String> secrets = Set.of(secretComponents);
		StringJoiner fields = new StringJoiner(", ", record.getClass().getSimpleName() + "[", "]");
		for (RecordComponent component : record.getClass().getRecordComponents()) {
			Object value;
			try {
				value = component.getAccessor().invoke(record);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException(ex);
			}
			fields.add(component.getName() + "=" + (secrets.contains(component.getName()) ? mask(value) : value));
		}
		return fields.toString();
	}

	private static String mask(Object value) {
		if (value == null || (value instanceof CharSequence text && text.isEmpty())) {
			return String.valueOf(value);
		}
		if (value instanceof Map<?, ?> map) {
			Map<String, String> masked = new TreeMap<>();
			map.keySet().forEach((key) -> masked.put(String.valueOf(key), MASK));
			return masked.toString();
		}
		return MASK;
	}

}
