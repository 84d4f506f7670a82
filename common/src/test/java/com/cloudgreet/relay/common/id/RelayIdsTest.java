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
	void idsFromManyThreadsAreDistinctVersion7AndOrderedByTheirMillisecond() throws Exception {
		int threads = 8;
		int perThread = 5_000;
		var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
		try {
			var batches = new java.util.ArrayList<java.util.concurrent.Future<java.util.List<String>>>();
			for (int t = 0; t < threads; t++) {
				batches.add(pool.submit(() -> {
					var ids = new java.util.ArrayList<String>(perThread);
					for (int i = 0; i < perThread; i++) {
						ids.add(RelayIds.next(IdKind.MESSAGE));
					}
					return ids;
				}));
			}
			var all = new java.util.HashSet<String>();
			for (var batch : batches) {
				java.util.List<String> ids = batch.get();
				assertThat(ids).isSorted();
				all.addAll(ids);
				for (String id : ids) {
					java.util.UUID uuid = java.util.UUID.fromString(id.substring(4)
						.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
					assertThat(uuid.version()).isEqualTo(7);
					assertThat(uuid.variant()).isEqualTo(2);
				}
			}
			assertThat(all).hasSize(threads * perThread);
		}
		finally {
			pool.shutdownNow();
		}
		// Across threads, ids follow their creation millisecond (the first 48 bits).
		String earlier = RelayIds.next(IdKind.MESSAGE);
		long nextMillisecond = System.currentTimeMillis() + 2;
		while (System.currentTimeMillis() < nextMillisecond) {
			Thread.onSpinWait(); // the clock, not a condition, is what must move on
		}
		String[] later = new String[1];
		Thread other = new Thread(() -> later[0] = RelayIds.next(IdKind.MESSAGE));
		other.start();
		other.join();
		assertThat(earlier.compareTo(later[0])).isNegative();
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
