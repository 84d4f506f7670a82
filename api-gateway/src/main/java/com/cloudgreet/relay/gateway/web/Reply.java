package com.cloudgreet.relay.gateway.web;

import java.util.LinkedHashMap;
import java.util.Map;

import com.cloudgreet.relay.common.json.RelayJson;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * A complete HTTP answer as bytes: what handlers produce, what idempotency stores and replays,
 * and what proxied calls pass through. Only the headers listed here survive a replay.
 */
public record Reply(int status, Map<String, String> headers, byte[] body) {

	/** Headers worth keeping with a stored answer; everything else is per-response. */
	public static final java.util.List<String> KEPT_HEADERS = java.util.List.of(HttpHeaders.CONTENT_TYPE,
			HttpHeaders.LOCATION, HttpHeaders.RETRY_AFTER);

	public Reply {
		headers = Map.copyOf(headers);
		body = body == null ? new byte[0] : body;
	}

	public static Reply json(int status, Object body) {
		return new Reply(status, Map.of(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE), RelayJson.write(body));
	}

	public Reply withHeader(String name, String value) {
		Map<String, String> headers = new LinkedHashMap<>(this.headers);
		headers.put(name, value);
		return new Reply(this.status, headers, this.body);
	}

	public ResponseEntity<byte[]> toEntity() {
		ResponseEntity.BodyBuilder builder = ResponseEntity.status(this.status);
		this.headers.forEach((name, value) -> builder.header(name, value));
		return builder.body(this.body);
	}

}
