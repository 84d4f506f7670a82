package com.cloudgreet.relay.notification.config;

import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.alert.DeadLetterAlerters;
import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.notification.email.EmailSender;
import com.cloudgreet.relay.notification.email.LogEmailSender;
import com.cloudgreet.relay.notification.email.SmtpConnections;
import com.cloudgreet.relay.notification.email.SmtpEmailSender;
import com.cloudgreet.relay.notification.sms.LogSmsSender;
import com.cloudgreet.relay.notification.sms.SmsSender;
import com.cloudgreet.relay.notification.sms.SmsThrottle;
import com.cloudgreet.relay.notification.sms.TwilioSmsSender;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.eclipse.angus.mail.util.MailStreamProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** Chooses the email and SMS providers ({@code relay.email.provider}, {@code relay.sms.provider}). */
@Configuration(proxyBeanMethods = false)
public class ProviderConfiguration {

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

	}

}
