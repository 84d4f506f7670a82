package com.cloudgreet.relay.common.operator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The position after a row of a list ordered by {@code (created_at desc, id desc)}: the time in
 * microseconds (PostgreSQL's precision, so no row is skipped or repeated) and the id, as
 * {@code <micros>.<id>}. An unreadable cursor is {@code null}: the list starts from the top.
 */
public record KeysetCursor(Instant at, String id) {

	public String encode() {
		return ChronoUnit.MICROS.between(Instant.EPOCH, this.at) + "." + this.id;
	}

	public static KeysetCursor decode(String cursor) {
		if (cursor == null) {
			return null;
		}
		int dot = cursor.indexOf('.');
		if (dot < 1 || dot == cursor.length() - 1) {
			return null;
		}
		try {
			long micros = Long.parseLong(cursor.substring(0, dot));
			return new KeysetCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), cursor.substring(dot + 1));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
