package com.cloudgreet.relay.gateway;

import com.cloudgreet.relay.gateway.tenant.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeysTest {

	private static final String SECRET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_9";

	@Test
	void generatedKeysAreWellFormed() {
		for (int i = 0; i < 100; i++) {
			assertThat(ApiKeys.isWellFormed(ApiKeys.generate())).isTrue();
		}
		assertThat(ApiKeys.isWellFormed("rk_" + SECRET)).isTrue();
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "rk_", "rk_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_", "rk_" + SECRET + "x",
			"RK_" + SECRET, "xk_" + SECRET, "rk_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-=9",
			"rk_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-é9", "rk_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123 _9" })
	void refusesAnythingElse(String text) {
		assertThat(ApiKeys.isWellFormed(text)).isFalse();
	}

}
