package com.cloudgreet.relay.common.id;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RelayIdsTest {

	@Test
	void idsCarryTheirKindAndSortByCreation() {
		String first = RelayIds.next(IdKind.MESSAGE);
		String second = RelayIds.next(IdKind.MESSAGE);
		assertThat(first).matches("msg_[0-9a-f]{32}");
		assertThat(RelayIds.kindOf(first)).contains(IdKind.MESSAGE);
		assertThat(first.compareTo(second)).isNegative();
	}

	@Test
	void nameBasedIdsAreStableRelayIdsThatDifferByName() {
		String id = RelayIds.nameBased(IdKind.MESSAGE, "ten_1\nkey-1");
		assertThat(id).isEqualTo(RelayIds.nameBased(IdKind.MESSAGE, "ten_1\nkey-1"));
		assertThat(RelayIds.isValid(id, IdKind.MESSAGE)).isTrue();
		assertThat(RelayIds.nameBased(IdKind.MESSAGE, "ten_2\nkey-1")).isNotEqualTo(id);
		assertThat(RelayIds.nameBased(IdKind.EVENT, "ten_1\nkey-1")).startsWith("evt_").endsWith(id.substring(4));
	}

	@Test
	void foreignTextIsNoRelayId() {
		assertThat(RelayIds.kindOf("msg_123")).isEmpty();
		assertThat(RelayIds.kindOf("zzz_0123456789abcdef0123456789abcdef")).isEmpty();
		assertThat(RelayIds.isValid(RelayIds.next(IdKind.EVENT), IdKind.MESSAGE)).isFalse();
	}

}
