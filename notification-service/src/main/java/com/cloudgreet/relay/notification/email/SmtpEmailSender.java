package com.cloudgreet.relay.notification.email;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.RecipientOutcome;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Sends email over SMTP with Jakarta Mail (Angus). Jakarta Mail blocks, so every send runs on a
 * bounded scheduler sized to the connections we are willing to open; the socket timeouts bound
 * each call, and a {@link Mono#timeout} backstops them.
 */
public class SmtpEmailSender implements EmailSender {

	/** Lets receivers and support staff find a message by Relay's id. */
	public static final String MESSAGE_ID_HEADER = "X-Relay-Message-Id";

	private static final String UTF_8 = "UTF-8";

	private final JavaMailSenderImpl mail;

	private final Scheduler scheduler;

	private final String defaultFrom;

	private final java.time.Duration timeout;

	private final SmtpConnections connections;

	public SmtpEmailSender(JavaMailSenderImpl mail, SmtpConnections connections, Scheduler scheduler,
			NotificationProperties.Email settings) {
		this.mail = mail;
		this.connections = connections;
		this.scheduler = scheduler;
		this.defaultFrom = settings.defaultFrom();
		this.timeout = settings.smtp().sendTimeout();
		// One refused recipient must not sink the others: the server gets the message for every
		// recipient it accepted, and each recipient's answer is reported (recipientOutcomes).
		// Sessions read their properties when a connection is made, so this holds for every send.
		mail.getJavaMailProperties().setProperty("mail.smtp.sendpartial", "true");
	}

	@Override
	public Mono<Outcome> send(String messageId, EmailMessage message) {
		return Mono.fromCallable(() -> {
			List<InternetAddress> recipients = new ArrayList<>();
			MimeMessage mime = compose(messageId, message, recipients);
			Address[] envelope = recipients.toArray(Address[]::new);
			try {
				this.connections.send(mime, envelope);
			}
			catch (SendFailedException refused) {
				return recipientOutcomes(refused, mime.getMessageID(), envelope);
			}
			return (Outcome) new Outcome.Delivered("250", "accepted by SMTP server", mime.getMessageID(),
					accepted(envelope));
		})
			.subscribeOn(this.scheduler)
			.timeout(this.timeout)
			.onErrorResume((ex) -> Mono.just(classify(ex)));
	}

	/**
	 * Builds the message with plain Jakarta Mail: Spring's MimeMessageHelper would load the
	 * mime.types tables (a class-path scan) for every message it wraps, which dominated the CPU
	 * profile of the benchmark.
	 */
	private MimeMessage compose(String messageId, EmailMessage message, List<InternetAddress> recipients)
			throws MessagingException {
		String from = message.from() != null ? message.from() : this.defaultFrom;
		InternetAddress sender = new InternetAddress(from, true);
		MimeMessage mime = new RelayMimeMessage(this.mail.getSession(), messageId, domainOf(sender));
		mime.setFrom(sender);
		// The envelope is kept as parsed here, rather than parsed back out of the headers to send.
		mime.setRecipients(Message.RecipientType.TO, addresses(message.to(), recipients));
		mime.setRecipients(Message.RecipientType.CC, addresses(message.cc(), recipients));
		mime.setRecipients(Message.RecipientType.BCC, addresses(message.bcc(), recipients));
		if (message.replyTo() != null) {
			mime.setReplyTo(new InternetAddress[] { new InternetAddress(message.replyTo(), true) });
		}
		mime.setSubject(message.subject(), UTF_8);
		mime.setSentDate(new Date());
		if (message.text() != null && message.html() != null) {
			// multipart/alternative, text first: clients show the last part they can render.
			MimeMultipart alternative = new MimeMultipart("alternative");
			MimeBodyPart text = new MimeBodyPart();
			text.setText(message.text(), UTF_8, "plain");
			MimeBodyPart html = new MimeBodyPart();
			html.setText(message.html(), UTF_8, "html");
			alternative.addBodyPart(text);
			alternative.addBodyPart(html);
			mime.setContent(alternative);
		}
		else if (message.html() != null) {
			mime.setText(message.html(), UTF_8, "html");
		}
		else {
			mime.setText(message.text(), UTF_8, "plain");
		}
		mime.setHeader(MESSAGE_ID_HEADER, messageId);
		return mime;
	}

	private static InternetAddress[] addresses(List<String> addresses, List<InternetAddress> envelope)
			throws AddressException {
		InternetAddress[] parsed = new InternetAddress[addresses.size()];
		for (int i = 0; i < parsed.length; i++) {
			parsed[i] = new InternetAddress(addresses.get(i), true);
			envelope.add(parsed[i]);
		}
		return parsed.length == 0 ? null : parsed;
	}

	private static List<RecipientOutcome> accepted(Address[] recipients) {
		List<RecipientOutcome> outcomes = new ArrayList<>(recipients.length);
		for (Address recipient : recipients) {
			outcomes.add(RecipientOutcome.accepted(address(recipient)));
		}
		return outcomes;
	}

	/**
	 * The server answered recipients one by one ({@code sendpartial}): if it took the message for
	 * at least one, it is delivered, and each refused recipient's reply is kept with it. If it
	 * refused them all, the message failed: for good, unless one of the refusals was temporary
	 * (4xx), when another try may get it through. Anything else (a refused sender, a rejected DATA)
	 * is classified as before.
	 */
	static Outcome recipientOutcomes(SendFailedException failure, String messageId, Address[] envelope) {
		Map<String, SMTPAddressFailedException> refused = new LinkedHashMap<>();
		// Jakarta Mail chains one exception per refused recipient; the bound guards a cyclic chain.
		int links = 0;
		for (Exception next = failure; next != null && links++ <= envelope.length + 1;
				next = next instanceof MessagingException m ? m.getNextException() : null) {
			if (next instanceof SMTPSenderFailedException) {
				return classify(failure);
			}
			if (next instanceof SMTPAddressFailedException address && address.getAddress() != null) {
				refused.putIfAbsent(address.getAddress().getAddress().toLowerCase(Locale.ROOT), address);
			}
		}
		Address[] sent = failure.getValidSentAddresses();
		boolean delivered = sent != null && sent.length > 0;
		if (refused.isEmpty() || (!delivered && failure instanceof SMTPSendFailedException data
				&& !data.getCommand().startsWith("RCPT"))) {
			return classify(failure);
		}
		List<RecipientOutcome> recipients = new ArrayList<>();
		SMTPAddressFailedException firstRefusal = refused.values().iterator().next();
		SMTPAddressFailedException temporary = null;
		for (Address recipient : envelope) {
			String address = address(recipient);
			SMTPAddressFailedException refusal = refused.get(address.toLowerCase(Locale.ROOT));
			if (refusal != null) {
				recipients.add(RecipientOutcome.refused(address, Integer.toString(refusal.getReturnCode()),
						excerpt(refusal)));
				if (temporary == null && refusal.getReturnCode() >= 400 && refusal.getReturnCode() < 500) {
					temporary = refusal;
				}
			}
			else if (delivered) {
				recipients.add(RecipientOutcome.accepted(address));
			}
		}
		if (delivered) {
			long accepted = recipients.stream().filter(RecipientOutcome::isAccepted).count();
			return new Outcome.Delivered("250", "accepted for " + accepted + " of " + recipients.size()
					+ " recipients; refused: " + excerpt(firstRefusal), messageId, recipients);
		}
		if (temporary != null) {
			return new Outcome.Retryable(Integer.toString(temporary.getReturnCode()), excerpt(temporary), null,
					recipients);
		}
		return new Outcome.Permanent(Integer.toString(firstRefusal.getReturnCode()), excerpt(firstRefusal),
				recipients);
	}

	private static String address(Address recipient) {
		return recipient instanceof InternetAddress internet ? internet.getAddress() : recipient.toString();
	}

	/**
	 * SMTP reply codes decide: 5xx is final (unknown mailbox, policy rejection), 4xx is a
	 * temporary refusal (greylisting, mailbox busy). Without a reply code, I/O and timeouts are
	 * transient. Failed authentication, or a server refusing our sender outright (5xx to MAIL
	 * FROM), is the account's failure, not the message's: the engine pauses the channel.
	 */
	static Outcome classify(Throwable failure) {
		for (Throwable cause = failure; cause != null && depth(failure, cause); cause = next(cause)) {
			if (cause instanceof SMTPSenderFailedException sender && sender.getReturnCode() >= 500) {
				return new Outcome.AccountFailure(Integer.toString(sender.getReturnCode()), excerpt(cause));
			}
		}
		for (Throwable cause = failure; cause != null && depth(failure, cause); cause = next(cause)) {
			Integer code = replyCode(cause);
			if (code != null && code >= 500) {
				return new Outcome.Permanent(code.toString(), excerpt(cause));
			}
			if (code != null && code >= 400) {
				return new Outcome.Retryable(code.toString(), excerpt(cause), null);
			}
		}
		// Only when no reply says more: Jakarta Mail's "Invalid Addresses" wraps the server's reply
		// to each refused recipient, which carries the code (and the server's words) we want.
		for (Throwable cause = failure; cause != null && depth(failure, cause); cause = next(cause)) {
			if (cause instanceof SendFailedException sendFailed && sendFailed.getInvalidAddresses() != null
					&& sendFailed.getInvalidAddresses().length > 0) {
				return new Outcome.Permanent("invalid-address", excerpt(cause));
			}
		}
		if (failure instanceof java.util.concurrent.TimeoutException) {
			return new Outcome.Retryable("timeout", "SMTP send timed out", null);
		}
		if (failure instanceof MailAuthenticationException || failure instanceof jakarta.mail.AuthenticationFailedException) {
			return new Outcome.AccountFailure("auth", "SMTP authentication failed");
		}
		for (Throwable cause = failure; cause != null && depth(failure, cause); cause = next(cause)) {
			if (cause instanceof InterruptedIOException) {
				return new Outcome.Retryable("timeout", excerpt(cause), null);
			}
			if (cause instanceof IOException) {
				return new Outcome.Retryable("io", excerpt(cause), null);
			}
		}
		return new Outcome.Retryable("error", excerpt(failure), null);
	}

	/** Guards the cause walks against cyclic chains. */
	private static boolean depth(Throwable root, Throwable cause) {
		int depth = 0;
		for (Throwable c = root; c != null && c != cause && depth < 16; c = next(c)) {
			depth++;
		}
		return depth < 16;
	}

	private static Integer replyCode(Throwable cause) {
		if (cause instanceof SMTPAddressFailedException address) {
			return address.getReturnCode();
		}
		if (cause instanceof SMTPSenderFailedException sender) {
			return sender.getReturnCode();
		}
		if (cause instanceof SMTPSendFailedException send) {
			return send.getReturnCode();
		}
		return null;
	}

	/** Spring's MailSendException keeps per-message causes aside; Jakarta chains via next exceptions. */
	private static Throwable next(Throwable cause) {
		if (cause instanceof MailSendException send && !send.getFailedMessages().isEmpty()) {
			return send.getFailedMessages().values().iterator().next();
		}
		if (cause instanceof MessagingException messaging && messaging.getNextException() != null
				&& messaging.getNextException() != cause) {
			return messaging.getNextException();
		}
		return cause.getCause() == cause ? null : cause.getCause();
	}

	private static String excerpt(Throwable cause) {
		String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
		text = text.replaceAll("\\s+", " ").strip();
		return text.length() <= 300 ? text : text.substring(0, 300) + "…";
	}

	private static String domainOf(InternetAddress from) {
		String address = from.getAddress();
		int at = address.indexOf('@');
		return at < 0 ? "relay.invalid" : address.substring(at + 1);
	}

	/** Puts Relay's id into the RFC 5322 Message-ID, so replies and bounces can be traced back. */
	static final class RelayMimeMessage extends MimeMessage {

		private final String messageId;

		private final String domain;

		RelayMimeMessage(jakarta.mail.Session session, String messageId, String domain) {
			super(session);
			this.messageId = messageId;
			this.domain = domain;
		}

		@Override
		protected void updateMessageID() throws MessagingException {
			setHeader("Message-ID", "<" + this.messageId + "@" + this.domain + ">");
		}

	}


}
