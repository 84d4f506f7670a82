package com.cloudgreet.relay.webhook.message;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class MessageStatusTest {

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			scheduled                       | scheduled
			scheduled,queued                | queued
			scheduled,sending               | sending
			scheduled,delivered             | scheduled
			scheduled,dead_lettered         | scheduled
			canceled                        | canceled
			canceled,delivered              | canceled
			canceled,failed                 | failed
			delivered                       | delivered
			queued,canceled                 | queued
			queued,delivered                | sending
			""")
	void eventStatusIsTheLeastFinishedOfItsDeliveries(String deliveries, String event) {
		assertThat(MessageStatus.aggregate(List.of(deliveries.split(",")))).isEqualTo(event);
	}

}
