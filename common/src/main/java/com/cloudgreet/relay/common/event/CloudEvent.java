package com.cloudgreet.relay.common.event;

import java.time.Instant;
import java.util.regex.Pattern;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.Violation;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;

/**
 * A CloudEvents 1.0 event in structured JSON mode: the value of every record on Relay's request
 * topics. {@code id} is the message id, {@code tenantid} an extension attribute naming the owner,
 * {@code data} the same JSON the HTTP API takes.
 *
 * <p>Other extension attributes are allowed by the spec and ignored here, so a producer that
 * adds tracing or partitioning extensions is not rejected.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudEvent(String specversion, String id, String source, String type, Instant time,
		String datacontenttype, String tenantid, JsonNode data) {

	public static final String SPEC_VERSION = "1.0";

	public static final String JSON = "application/json";

	/** Ids travel in URLs and headers: keep them to a safe alphabet. */
	private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.:\\-]{1,128}");

	public CloudEvent {
		java.util.List<Violation> violations = new java.util.ArrayList<>();
		if (!SPEC_VERSION.equals(specversion)) {
			violations.add(new Violation("/specversion", "must be \"1.0\""));
		}
		if (id == null || !SAFE_ID.matcher(id).matches()) {
			violations.add(new Violation("/id", "is required: 1 to 128 letters, digits, '.', ':', '_' or '-'"));
		}
		if (source == null || source.isBlank()) {
			violations.add(new Violation("/source", "is required"));
		}
		if (type == null || Channel.ofEventType(type).isEmpty()) {
			violations.add(new Violation("/type", "must be one of relay.email.requested, relay.sms.requested, relay.webhook.requested"));
		}
		if (datacontenttype != null && !datacontenttype.startsWith(JSON)) {
			violations.add(new Violation("/datacontenttype", "must be application/json"));
		}
		if (tenantid == null || !SAFE_ID.matcher(tenantid).matches()) {
			violations.add(new Violation("/tenantid", "is required: the owning tenant's id"));
		}
		if (data == null || !data.isObject()) {
			violations.add(new Violation("/data", "is required and must be a JSON object"));
		}
		if (!violations.isEmpty()) {
			throw new InvalidMessageException(violations);
		}
	}

	/** A new request event for {@code channel}, stamped now. */
	public static CloudEvent request(Channel channel, String id, String source, String tenantId, JsonNode data) {
		return new CloudEvent(SPEC_VERSION, id, source, channel.eventType(), Instant.now(), JSON, tenantId, data);
	}

	public Channel channel() {
		return Channel.ofEventType(this.type).orElseThrow();
	}

}
