package com.cloudgreet.relay.common.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.privacy.Redaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts dead-letter alerts to a Slack-compatible incoming webhook ({@code {"text": ...}}).
 *
 * <p>At most one alert per {@code window}: the first dead letter is reported at once with its
 * details; any that follow within the window are counted and reported as one summary when the
 * window closes, so a storm of failures produces two messages, not thousands. The window is per
 * instance; with N replicas a storm yields at most N summaries per window.
 *
 * <p>Reasons are redacted (recipients masked) and every value is escaped for Slack's markup.
 */
public final class SlackDeadLetterAlerter implements DeadLetterAlerter, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(SlackDeadLetterAlerter.class);

	private static final int REASON_LENGTH = 300;

	private final URI webhookUrl;

	private final Duration window;

	private final HttpClient http;

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "relay-dlt-alerts");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<Channel, Integer> suppressed = new EnumMap<>(Channel.class);

	private boolean windowOpen;

	public SlackDeadLetterAlerter(URI webhookUrl, Duration window) {
		this(webhookUrl, window, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
	}

	SlackDeadLetterAlerter(URI webhookUrl, Duration window, HttpClient http) {
		this.webhookUrl = webhookUrl;
		this.window = window;
		this.http = http;
	}

	@Override
	public void deadLettered(Channel channel, String messageId, String tenantId, String reason) {
		synchronized (this) {
			if (this.windowOpen) {
				this.suppressed.merge(channel, 1, Integer::sum);
				return;
			}
			this.windowOpen = true;
			this.scheduler.schedule(this::closeWindow, this.window.toMillis(), TimeUnit.MILLISECONDS);
		}
		post(":rotating_light: Relay dead-lettered %s message `%s` of tenant `%s`: %s".formatted(channel.id(),
				escape(messageId), escape(tenantId), escape(truncate(Redaction.redact(reason)))));
	}

	private void closeWindow() {
		Map<Channel, Integer> counts;
		synchronized (this) {
			counts = new EnumMap<>(this.suppressed);
			this.suppressed.clear();
			this.windowOpen = false;
		}
		if (!counts.isEmpty()) {
			int total = counts.values().stream().mapToInt(Integer::intValue).sum();
			String byChannel = counts.entrySet()
				.stream()
				.map((entry) -> entry.getValue() + " " + entry.getKey().id())
				.collect(Collectors.joining(", "));
			post(":rotating_light: Relay dead-lettered %d more message(s) in the last %s (%s). See the DLT topics and the delivery log."
				.formatted(total, this.window, byChannel));
		}
	}

	private void post(String text) {
		HttpRequest request = HttpRequest.newBuilder(this.webhookUrl)
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofByteArray(RelayJson.write(Map.of("text", text))))
			.build();
		this.http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
			// The URL embeds Slack's secret token: log the host only.
			if (failure != null) {
				logger.warn("Dead-letter alert to {} failed: {}", this.webhookUrl.getHost(), failure.toString());
			}
			else if (response.statusCode() / 100 != 2) {
				logger.warn("Dead-letter alert to {} answered {}", this.webhookUrl.getHost(), response.statusCode());
			}
		});
	}

	/**
	 * Slack's formatting rules: {@code <}, {@code >} and {@code &} are control characters in message
	 * text ({@code <!channel>}, {@code <@U123>}, {@code <url|label>}) and must be sent as
	 * {@code &lt;}, {@code &gt;} and {@code &amp;}. Everything we did not write ourselves (reasons
	 * echo provider replies, ids come from producers) is escaped, so it cannot mention or link.
	 */
	static String escape(String text) {
		if (text == null) {
			return "null";
		}
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static String truncate(String reason) {
		String text = reason == null ? "(no reason)" : reason;
		return text.length() <= REASON_LENGTH ? text : text.substring(0, REASON_LENGTH) + "…";
	}

	@Override
	public void close() {
		this.scheduler.shutdownNow();
	}

}
