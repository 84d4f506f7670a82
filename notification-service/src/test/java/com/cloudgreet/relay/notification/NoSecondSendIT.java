package com.cloudgreet.relay.notification;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database error right after the provider accepted a message must not send it again. The fault
 * is a real one, raised by PostgreSQL: a trigger fails the first statement that would mark this
 * test's message delivered (a sequence, which no rollback resets, counts the failures). The
 * engine retries recording the answer in place, under the same lease; it never calls the provider
 * again.
 */
class NoSecondSendIT extends NotificationIT {

	@BeforeEach
	void installFault() {
		exec("create table if not exists notification.test_fault (id text primary key)");
		exec("drop sequence if exists notification.test_fault_fired");
		exec("create sequence notification.test_fault_fired");
		exec("""
				create or replace function notification.test_fault_once() returns trigger language plpgsql as $$
				begin
				  if new.status = 'delivered' and old.status <> 'delivered' then
				    if exists (select 1 from notification.test_fault f where f.id = new.id) then
				      if nextval('notification.test_fault_fired') = 1 then
				        raise exception 'injected fault: the database failed while recording %', new.id;
				      end if;
				    end if;
				  end if;
				  return new;
				end $$""");
		exec("drop trigger if exists test_fault_once on notification.message");
		exec("create trigger test_fault_once before update on notification.message for each row "
				+ "execute function notification.test_fault_once()");
	}

	@AfterEach
	void removeFault() {
		exec("drop trigger if exists test_fault_once on notification.message");
	}

	@Test
	void recordsTheProvidersAnswerAfterADatabaseErrorWithoutSendingAgain() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMonce\",\"status\":\"queued\"}").withStatus(201)));
		String id = com.cloudgreet.relay.common.id.RelayIds.next(com.cloudgreet.relay.common.id.IdKind.MESSAGE);
		exec("insert into notification.test_fault (id) values ('" + id + "')");

		publishSms(id, to, "exactly once");

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(faultsFired()).as("the first write of the answer failed").isGreaterThanOrEqualTo(1);
		assertThat(status.path("providerMessageId").asString()).isEqualTo("SMonce");
		assertThat(status.path("attempts")).hasSize(1);
		// Well past the lease (3 s in tests): nobody took the message over and sent it again.
		await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
			.until(() -> TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)))
				.size() == 1);
	}

	private long faultsFired() {
		return this.db.sql("select last_value, is_called from notification.test_fault_fired")
			.map((row) -> Boolean.TRUE.equals(row.get("is_called", Boolean.class)) ? row.get("last_value", Long.class) : 0L)
			.one()
			.block(Duration.ofSeconds(10));
	}

	private void exec(String sql) {
		this.db.sql(sql).then().block(Duration.ofSeconds(10));
	}

}
