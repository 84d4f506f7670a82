package com.cloudgreet.relay.common.alert;

import java.net.URI;
import java.time.Duration;

/**
 * Picks the alerter for a service: Slack-compatible when {@code RELAY_ALERTS_SLACK_WEBHOOK_URL}
 * ({@code relay.alerts.slack-webhook-url}) is set, otherwise a log line.
 */
public final class DeadLetterAlerters {

	private DeadLetterAlerters() {
	}

	public static DeadLetterAlerter create(String slackWebhookUrl, Duration window) {
		if (slackWebhookUrl == null || slackWebhookUrl.isBlank()) {
			return new LoggingDeadLetterAlerter();
		}
		return new SlackDeadLetterAlerter(URI.create(slackWebhookUrl), window);
	}

}
