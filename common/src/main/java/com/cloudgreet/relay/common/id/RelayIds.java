package com.cloudgreet.relay.common.id;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import com.github.f4b6a3.uuid.UuidCreator;

/**
 * Creates and recognises Relay IDs: {@code <prefix>_<32 hex digits of a UUIDv7>}. UUIDv7 starts
 * with a millisecond timestamp, so IDs sort by creation time (good B-tree locality in PostgreSQL,
 * readable in logs) and are unguessable in their random part.
 */
public final class RelayIds {

	private static final Pattern SHAPE = Pattern.compile("([a-z]{2,3})_([0-9a-f]{32})");

	private RelayIds() {
	}

	public static String next(IdKind kind) {
		UUID uuid = UuidCreator.getTimeOrderedEpoch();
		return kind.prefix() + "_" + uuid.toString().replace("-", "");
	}

	/** The kind of a well-formed ID, or empty if the text is not one of Relay's IDs. */
	public static Optional<IdKind> kindOf(String id) {
		if (id == null) {
			return Optional.empty();
		}
		var matcher = SHAPE.matcher(id);
		if (!matcher.matches()) {
			return Optional.empty();
		}
		for (IdKind kind : IdKind.values()) {
			if (kind.prefix().equals(matcher.group(1))) {
				return Optional.of(kind);
			}
		}
		return Optional.empty();
	}

	public static boolean isValid(String id, IdKind kind) {
		return kindOf(id).filter(kind::equals).isPresent();
	}

}
