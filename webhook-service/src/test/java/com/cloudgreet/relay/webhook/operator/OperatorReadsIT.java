package com.cloudgreet.relay.webhook.operator;

import java.util.Map;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.operator.OperatorViews;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator console's reads (token, no tenant): a dead-lettered delivery is counted under its
 * cause and last HTTP status and listed with its event, tenant and the receiver's answer; a
 * disabled endpoint is listed with its reason; without the token nothing is.
 */
class OperatorReadsIT extends AbstractWebhookIT {

	@Test
	void aDeadLetteredDeliveryIsCountedAndListedWithTheReceiversAnswer() {
		try (Receiver receiver = new Receiver((n) -> Receiver.status(503))) {
			createEndpoint(receiver.url());
			String eventId = publish("a.b", Map.of("n", 1));
			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("dead_lettered"));

			OperatorViews.DeadLetterCounts counts = read(OperatorViews.DEAD_LETTER_COUNTS_PATH,
					OperatorViews.DeadLetterCounts.class);
			assertThat(counts.counts()).anySatisfy((count) -> {
				assertThat(count.channel()).isEqualTo("webhook");
				assertThat(count.cause()).isEqualTo("exhausted");
				assertThat(count.code()).isEqualTo("HTTP 503");
				assertThat(count.count()).isPositive();
			});
			OperatorViews.DeadLetterPage page = read(OperatorViews.DEAD_LETTERS_PATH + "?cause=exhausted",
					OperatorViews.DeadLetterPage.class);
			assertThat(page.data()).anySatisfy((letter) -> {
				assertThat(letter.messageId()).isEqualTo(eventId);
				assertThat(letter.tenantId()).isEqualTo(this.tenant);
				assertThat(letter.code()).isEqualTo("HTTP 503");
				assertThat(letter.id()).isNotEqualTo(eventId);
			});
			assertThat(read(OperatorViews.DEAD_LETTERS_PATH + "?cause=rejected", OperatorViews.DeadLetterPage.class).data())
				.extracting(OperatorViews.DeadLetter::messageId)
				.doesNotContain(eventId);
		}
	}

	@Test
	void aDisabledEndpointIsListedWithItsReason() {
		String id = createEndpoint("http://127.0.0.1:9/operator-hook").path("id").asString();
		patch(this.tenant, "/internal/v1/endpoints/" + id).bodyValue(Map.of("enabled", false)).exchange()
			.expectStatus().isOk();

		OperatorViews.DisabledEndpointPage page = read(OperatorViews.DISABLED_ENDPOINTS_PATH + "?limit=100",
				OperatorViews.DisabledEndpointPage.class);
		assertThat(page.data()).anySatisfy((endpoint) -> {
			assertThat(endpoint.id()).isEqualTo(id);
			assertThat(endpoint.tenantId()).isEqualTo(this.tenant);
			assertThat(endpoint.disabledReason()).isEqualTo("disabled by the user");
			assertThat(endpoint.disabledAt()).isNotNull();
		});
	}

	@Test
	void theOperatorReadsNeedTheToken() {
		for (String path : new String[] { OperatorViews.DEAD_LETTER_COUNTS_PATH, OperatorViews.DEAD_LETTERS_PATH,
				OperatorViews.DISABLED_ENDPOINTS_PATH }) {
			this.web.get().uri(path).exchange().expectStatus().isUnauthorized();
		}
	}

	private <T> T read(String path, Class<T> type) {
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
