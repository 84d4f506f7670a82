package com.cloudgreet.relay.common.web;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalPathFilterTest {

	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', textBlock = """
			plain                        | /admin/v1/tenants            | true
			root                         | /                            | true
			ids and dashes               | /v1/messages/msg_01J-x.y     | true
			percent-encoded letter       | /%61dmin/v1/tenants          | false
			encoded slash                | /admin%2Fv1/tenants          | false
			double encoding              | /%2561dmin/v1/tenants        | false
			matrix parameter             | /admin;x=1/v1/tenants        | false
			empty matrix parameter       | /internal;/v1/endpoints      | false
			empty segment                | //admin/v1/tenants           | false
			empty inner segment          | /admin//v1/tenants           | false
			trailing slash               | /admin/v1/tenants/           | false
			dot segment                  | /./admin/v1/tenants          | false
			dot-dot segment              | /x/../admin/v1/tenants       | false
			trailing dot                 | /admin/v1/tenants/.          | false
			backslash                    | /admin\\v1/tenants           | false
			relative                     | admin/v1/tenants             | false
			empty                        | ''                           | false
			""")
	void acceptsOnlyPlainSegments(String name, String path, boolean canonical) {
		assertThat(CanonicalPathFilter.isCanonical(path)).isEqualTo(canonical);
	}

}
