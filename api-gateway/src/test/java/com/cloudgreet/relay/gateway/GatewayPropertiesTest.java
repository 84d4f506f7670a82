package com.cloudgreet.relay.gateway;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayPropertiesTest {

	@Test
	void toStringShowsNoToken() {
		GatewayProperties properties = new GatewayProperties("admin-0123456789abcdef0123456789abcdef",
				"internal-0123456789abcdef0123456789abcdef",
				new GatewayProperties.Gateway(null, null, null, null, null, null, null, null, null, null,
						"cache-0123456789abcdef0123456789abcdef"));
		assertThat(properties.toString()).doesNotContain("0123456789abcdef").contains("adminToken=<redacted>", "keyCacheSecret=<redacted>");
	}

}
