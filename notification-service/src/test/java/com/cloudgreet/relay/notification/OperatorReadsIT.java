package com.cloudgreet.relay.notification;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.operator.OperatorViews;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console's reads (token, no tenant): a rejected SMS is counted under its channel,
 * cause and provider code and listed with its tenant and reason, page by page; the channels'
 * pause state is shown; and without the token nothing is.
 */
class OperatorReadsIT extends NotificationIT {

	@Test
	void aRejectedSmsIsCountedAndListedUnderItsCause() {
		String first = rejected();
		String second = rejected();

		OperatorViews.DeadLetterCounts counts = get(OperatorViews.DEAD_LETTER_COUNTS_PATH, OperatorViews.DeadLetterCounts.class);
		assertThat(counts.counts()).anySatisfy((count) -> {
			assertThat(count.channel()).isEqualTo("sms");
			assertThat(count.cause()).isEqualTo("rejected");
			assertThat(count.code()).isEqualTo("400/21610");
			assertThat(count.count()).isGreaterThanOrEqualTo(2);
		});

		OperatorViews.DeadLetterPage page = get(OperatorViews.DEAD_LETTERS_PATH + "?channel=sms&cause=rejected&limit=1",
				OperatorViews.DeadLetterPage.class);
		assertThat(page.data()).singleElement().satisfies((letter) -> {
			assertThat(letter.id()).isEqualTo(second);
			assertThat(letter.messageId()).isEqualTo(second);
			assertThat(letter.tenantId()).isEqualTo(this.tenant);
			assertThat(letter.reason()).isNotBlank();
		});
		assertThat(page.next()).isNotNull();
		OperatorViews.DeadLetterPage older = get(OperatorViews.DEAD_LETTERS_PATH + "?channel=sms&cause=rejected&limit=1&before="
				+ page.next(), OperatorViews.DeadLetterPage.class);
		assertThat(older.data()).singleElement().satisfies((letter) -> assertThat(letter.id()).isEqualTo(first));
		assertThat(get(OperatorViews.DEAD_LETTERS_PATH + "?channel=sms&cause=exhausted", OperatorViews.DeadLetterPage.class)
			.data()).extracting(OperatorViews.DeadLetter::id).doesNotContain(first, second);
	}

	@Test
	void channelsShowTheirPauseStateAndProviders() {
		OperatorViews.ChannelState[] channels = get(OperatorViews.CHANNELS_PATH, OperatorViews.ChannelState[].class);
		assertThat(channels).extracting(OperatorViews.ChannelState::channel).containsExactly("email", "sms");
		assertThat(channels[1].providers()).isNotEmpty();
	}

	@Test
	void theOperatorReadsNeedTheToken() {
		for (String path : new String[] { OperatorViews.DEAD_LETTER_COUNTS_PATH, OperatorViews.DEAD_LETTERS_PATH + "?channel=sms",
				OperatorViews.CHANNELS_PATH }) {
			this.web.get().uri(path).exchange().expectStatus().isUnauthorized();
		}
	}

	/** An SMS the provider refuses for good (unsubscribed recipient): failed at once. */
	private String rejected() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":21610,\"message\":\"Unsubscribed recipient\",\"status\":400}")));
		String id = publishSms(to, "operator");
		awaitStatus(id, "failed");
		return id;
	}

	private <T> T get(String path, Class<T> type) {
		return this.web.get()
			.uri(path)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(type)
			.returnResult()
			.getResponseBody();
	}

}
