package com.cloudgreet.relay.common.ratelimit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LimitTest {

	@ParameterizedTest
	@ValueSource(strings = { "tenant", "ip", "route-sms", "a", "0123456789abcdefghijklmnopqrstuv" })
	void acceptsNamesOfLowerCaseLettersDigitsAndDashes(String name) {
		assertThat(new Limit(name, "t1", 1, 1).name()).isEqualTo(name);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "Tenant", "route_sms", "route sms", "ü", "0123456789abcdefghijklmnopqrstuvw" })
	void refusesAnyOtherName(String name) {
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(name, "t1", 1, 1));
	}

	@Test
	void refusesAMissingName() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(null, "t1", 1, 1));
	}

}
