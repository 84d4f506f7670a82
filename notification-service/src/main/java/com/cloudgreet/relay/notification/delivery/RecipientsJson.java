package com.cloudgreet.relay.notification.delivery;

import java.util.List;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.delivery.RecipientOutcome;
import tools.jackson.core.type.TypeReference;

/**
 * The attempt's {@code recipients} column (V6): a JSON array of {@code {address, outcome, code,
 * detail}}. Written by hand because it is written for every email attempt, on the engine's path,
 * and four strings need no object mapper; read with the mapper, for the status API.
 */
final class RecipientsJson {

	private static final TypeReference<List<MessageView.Recipient>> RECIPIENTS = new TypeReference<>() {
	};

	private RecipientsJson() {
	}

	/** The JSON array, or {@code null} when the provider did not answer per recipient. */
	static String write(List<RecipientOutcome> recipients) {
		if (recipients.isEmpty()) {
			return null;
		}
		StringBuilder json = new StringBuilder(64 * recipients.size()).append('[');
		for (int i = 0; i < recipients.size(); i++) {
			RecipientOutcome recipient = recipients.get(i);
			json.append(i == 0 ? "{" : ",{");
			field(json, "address", recipient.address()).append(',');
			field(json, "outcome", recipient.outcome()).append(',');
			field(json, "code", recipient.code()).append(',');
			field(json, "detail", recipient.detail()).append('}');
		}
		return json.append(']').toString();
	}

	static List<MessageView.Recipient> read(String json) {
		return json == null ? null : RelayJson.mapper().readValue(json, RECIPIENTS);
	}

	private static StringBuilder field(StringBuilder json, String name, String value) {
		json.append('"').append(name).append("\":");
		if (value == null) {
			return json.append("null");
		}
		json.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				// PostgreSQL's jsonb refuses \u0000; a server's reply has no business holding one.
				case 0 -> json.append("\\ufffd");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		return json.append('"');
	}

}
