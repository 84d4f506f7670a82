package com.cloudgreet.relay.notification;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** Remembers every alert the service raises, so tests can assert on them. */
public class RecordingAlerter implements DeadLetterAlerter {

	public record Alert(Channel channel, String messageId, String tenantId, String reason) {
	}

	private final List<Alert> alerts = new CopyOnWriteArrayList<>();

	@Override
	public void deadLettered(Channel channel, String messageId, String tenantId, String reason) {
		this.alerts.add(new Alert(channel, messageId, tenantId, reason));
	}

	public List<Alert> alerts() {
		return List.copyOf(this.alerts);
	}

	@TestConfiguration(proxyBeanMethods = false)
	public static class Config {

		@Bean
		@Primary
		RecordingAlerter recordingAlerter() {
			return new RecordingAlerter();
		}

	}

}
