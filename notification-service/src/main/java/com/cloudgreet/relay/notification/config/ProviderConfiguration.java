package com.cloudgreet.relay.notification.config;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.alert.DeadLetterAlerters;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.delivery.failover.BreakerSettings;
import com.cloudgreet.relay.delivery.failover.Failover;
import com.cloudgreet.relay.delivery.failover.Provider;
import com.cloudgreet.relay.notification.email.EmailSender;
import com.cloudgreet.relay.notification.email.LogEmailSender;
import com.cloudgreet.relay.notification.email.SmtpConnections;
import com.cloudgreet.relay.notification.email.SmtpEmailSender;
import com.cloudgreet.relay.notification.email.SmtpRelays;
import com.cloudgreet.relay.notification.provider.ProvidersHealthIndicator;
import com.cloudgreet.relay.notification.sms.LogSmsSender;
import com.cloudgreet.relay.notification.sms.SmsSender;
import com.cloudgreet.relay.notification.sms.SmsThrottle;
import com.cloudgreet.relay.notification.sms.TwilioSmsSender;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.eclipse.angus.mail.util.MailStreamProvider;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Chooses the email and SMS providers ({@code relay.email.provider}, {@code relay.sms.provider})
 * and puts each channel's in failover order: the first from spring.mail / relay.sms.twilio, then
 * relay.email.providers / relay.sms.providers.
 */
@Configuration(proxyBeanMethods = false)
public class ProviderConfiguration {

	/** One breaker per provider, named {@code <channel>-<provider>}: resilience4j_circuitbreaker_state and its call counters. */
	@Bean
	CircuitBreakerRegistry providerBreakers(MeterRegistry meters) {
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
		return registry;
	}

	@Bean
	Failover<RelayRequest> emailProviders(EmailSender sender, ObjectProvider<SmtpRelays> relays,
			CircuitBreakerRegistry breakers, NotificationProperties properties, MeterRegistry meters) {
		List<Provider<RelayRequest>> providers = new ArrayList<>();
		providers.add(new Provider<>(properties.failover().primaryName(),
				(request) -> sender.send(request.id(), request.email()), null));
		relays.ifAvailable((more) -> providers.addAll(more.providers()));
		return failover(Channel.EMAIL, providers, breakers, properties, meters);
	}

	@Bean
	Failover<RelayRequest> smsProviders(SmsSender sender, SmsThrottle throttle, ReactiveStringRedisTemplate redis,
			CircuitBreakerRegistry breakers, NotificationProperties properties, MeterRegistry meters) {
		NotificationProperties.Sms sms = properties.sms();
		List<Provider<RelayRequest>> providers = new ArrayList<>();
		providers.add(new Provider<>(properties.failover().primaryName(),
				(request) -> sender.send(request.id(), request.sms()), Mono.defer(throttle::acquire)));
		if (sms.provider() == NotificationProperties.SmsProvider.TWILIO) {
			for (NotificationProperties.SmsAccount account : sms.providers()) {
				TwilioSmsSender more = new TwilioSmsSender(new NotificationProperties.Twilio(account.baseUrl(),
						account.accountSid(), account.authToken(), account.from(), sms.twilio().timeout(),
						sms.twilio().connectTimeout()));
				SmsThrottle own = new SmsThrottle(new RedisRateLimiter(redis), sms, account);
				providers.add(new Provider<>(account.name(), (request) -> more.send(request.id(), request.sms()),
						Mono.defer(own::acquire)));
			}
		}
		return failover(Channel.SMS, providers, breakers, properties, meters);
	}

	private static Failover<RelayRequest> failover(Channel channel, List<Provider<RelayRequest>> providers,
			CircuitBreakerRegistry breakers, NotificationProperties properties, MeterRegistry meters) {
		NotificationProperties.CircuitBreaker cb = properties.failover().circuitBreaker();
		BreakerSettings settings = new BreakerSettings(cb.failureRateThreshold(), cb.slidingWindowSize(),
				cb.minimumNumberOfCalls(), cb.waitInOpenState(), cb.permittedCallsInHalfOpenState());
		// A provider's pause backs off like the channel's (relay.delivery.min-pause, max-pause).
		return new Failover<>(channel.id(), providers, breakers, settings, properties.delivery().minPause(),
				properties.delivery().maxPause(), Clock.systemUTC(), meters, "relay.notification");
	}

	/** Health component "providers": each provider's breaker state and pause; DEGRADED while one is unavailable. */
	@Bean
	ProvidersHealthIndicator providersHealthIndicator(@Qualifier("emailProviders") Failover<RelayRequest> email,
			@Qualifier("smsProviders") Failover<RelayRequest> sms) {
		return new ProvidersHealthIndicator(List.of(email, sms));
	}

	@Bean
	@ConditionalOnProperty(name = "relay.email.provider", havingValue = "log")
	EmailSender logEmailSender() {
		return new LogEmailSender();
	}

	@Bean
	@ConditionalOnProperty(name = "relay.sms.provider", havingValue = "log")
	SmsSender logSmsSender() {
		return new LogSmsSender();
	}

	@Bean
	@ConditionalOnProperty(name = "relay.sms.provider", havingValue = "twilio")
	SmsSender twilioSmsSender(NotificationProperties properties) {
		return new TwilioSmsSender(properties.sms().twilio());
	}

	@Bean
	SmsThrottle smsThrottle(ReactiveStringRedisTemplate redis, NotificationProperties properties) {
		return new SmsThrottle(new RedisRateLimiter(redis), properties.sms());
	}

	/** Slack-compatible when relay.alerts.slack-webhook-url is set, a log line otherwise. */
	@Bean
	@ConditionalOnMissingBean
	DeadLetterAlerter deadLetterAlerter(NotificationProperties properties) {
		return DeadLetterAlerters.create(properties.alerts().slackWebhookUrl(), properties.alerts().window());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "relay.email.provider", havingValue = "smtp")
	static class Smtp {

		/** Jakarta Mail blocks a thread per open connection: this bounds both. */
		@Bean(destroyMethod = "dispose")
		Scheduler smtpScheduler(NotificationProperties properties) {
			int threads = properties.email().smtp().concurrency();
			return Schedulers.newBoundedElastic(threads, 10_000, "smtp");
		}

		/** Open SMTP connections kept between messages, at most one per sending thread. */
		@Bean(destroyMethod = "close")
		SmtpConnections smtpConnections(JavaMailSenderImpl mail, NotificationProperties properties) {
			NotificationProperties.Smtp smtp = properties.email().smtp();
			return new SmtpConnections(mail, smtp.concurrency(), smtp.maxIdleTime());
		}

		@Bean
		EmailSender smtpEmailSender(JavaMailSenderImpl mail, SmtpConnections connections, Scheduler smtpScheduler,
				NotificationProperties properties) {
			NotificationProperties.Smtp smtp = properties.email().smtp();
			// Jakarta Mail 2.1 looks its StreamProvider up through ServiceLoader on every body part
			// it creates or writes, a class-path scan that cost a third of the CPU per email in the
			// benchmark; naming the implementation (the API's documented override) skips the scan.
			System.getProperties().putIfAbsent("jakarta.mail.util.StreamProvider", MailStreamProvider.class.getName());
			// Jakarta Mail waits forever by default; a hung server must not hold a thread forever.
			mail.getJavaMailProperties().put("mail.smtp.connectiontimeout", Long.toString(smtp.connectTimeout().toMillis()));
			mail.getJavaMailProperties().put("mail.smtp.timeout", Long.toString(smtp.readTimeout().toMillis()));
			mail.getJavaMailProperties().put("mail.smtp.writetimeout", Long.toString(smtp.writeTimeout().toMillis()));
			return new SmtpEmailSender(mail, connections, smtpScheduler, properties.email());
		}

		/** relay.email.providers: the relays email fails over to, after spring.mail's. */
		@Bean(destroyMethod = "close")
		SmtpRelays smtpRelays(JavaMailSenderImpl mail, EmailSender smtpEmailSender, Scheduler smtpScheduler,
				NotificationProperties properties) {
			// Taking the first sender makes its JavaMail properties (timeouts, sendpartial) complete before they are copied.
			return new SmtpRelays(mail, smtpScheduler, properties.email());
		}

	}

}
