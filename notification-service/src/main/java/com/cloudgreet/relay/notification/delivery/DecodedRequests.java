package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;

import com.cloudgreet.relay.common.event.RelayRequest;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * What intake decoded, kept for the attempt that claims the message from the table later: in a
 * backlog most messages are stored queued and claimed by a poll, and decoding the stored event
 * again (full validation: JSON binding, E.164 parsing) was 8 % of the service's CPU per delivery.
 *
 * <p>Bounded by the size of the events it holds and by age, with soft values so the collector
 * may clear it under memory pressure: a miss only costs a decode. An entry is used only for the
 * exact event text it was decoded from, so what is sent is always what was stored.
 */
public final class DecodedRequests {

	/** Characters of stored events held at most (about 2 bytes each, plus the decoded form). */
	private static final long MAX_EVENT_CHARS = 16L * 1024 * 1024;

	private final Cache<String, Entry> entries;

	public DecodedRequests() {
		this(MAX_EVENT_CHARS, Duration.ofMinutes(10));
	}

	DecodedRequests(long maxEventChars, Duration maxAge) {
		this.entries = Caffeine.newBuilder()
			.maximumWeight(maxEventChars)
			.<String, Entry>weigher((id, entry) -> entry.event().length())
			.expireAfterWrite(maxAge)
			.softValues()
			.build();
	}

	/** Keeps {@code request}, decoded from {@code event}, for message {@code id}. */
	public void put(String id, String event, RelayRequest request) {
		this.entries.put(id, new Entry(event, request));
	}

	/** The request decoded from exactly {@code event} for message {@code id}, or {@code null}. */
	public RelayRequest get(String id, String event) {
		Entry entry = this.entries.getIfPresent(id);
		return (entry != null && entry.event().equals(event)) ? entry.request() : null;
	}

	/** Forgets message {@code id}: its claim concluded. */
	public void forget(String id) {
		this.entries.invalidate(id);
	}

	long size() {
		this.entries.cleanUp();
		return this.entries.estimatedSize();
	}

	private record Entry(String event, RelayRequest request) {
	}

}
