package com.cloudgreet.relay.notification.email;

import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.delivery.failover.Provider;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import reactor.core.scheduler.Scheduler;

import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * The SMTP relays after the first (relay.email.providers), each a sender with its own pooled
 * connections; they take the first relay's JavaMail properties (timeouts, TLS) and share its
 * bounded scheduler, so the threads SMTP may hold stay bounded however many relays there are.
 */
public final class SmtpRelays implements AutoCloseable {

	private final List<Provider<RelayRequest>> providers = new ArrayList<>();

	private final List<SmtpConnections> connections = new ArrayList<>();

	public SmtpRelays(JavaMailSenderImpl first, Scheduler scheduler, NotificationProperties.Email settings) {
		for (NotificationProperties.SmtpRelay relay : settings.providers()) {
			JavaMailSenderImpl mail = new JavaMailSenderImpl();
			mail.setProtocol(first.getProtocol());
			mail.setDefaultEncoding(first.getDefaultEncoding());
			mail.setJavaMailProperties(new java.util.Properties());
			mail.getJavaMailProperties().putAll(first.getJavaMailProperties());
			mail.setHost(relay.host());
			mail.setPort(relay.port());
			mail.setUsername(relay.username());
			mail.setPassword(relay.password());
			SmtpConnections pool = new SmtpConnections(mail, settings.smtp().concurrency(), settings.smtp().maxIdleTime());
			this.connections.add(pool);
			SmtpEmailSender sender = new SmtpEmailSender(mail, pool, scheduler, settings);
			this.providers.add(new Provider<>(relay.name(), (request) -> sender.send(request.id(), request.email()), null));
		}
	}

	public List<Provider<RelayRequest>> providers() {
		return List.copyOf(this.providers);
	}

	@Override
	public void close() {
		this.connections.forEach(SmtpConnections::close);
	}

}
