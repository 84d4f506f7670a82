package com.cloudgreet.relay.common.id;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import com.github.f4b6a3.uuid.UuidCreator;
import com.github.f4b6a3.uuid.factory.standard.TimeOrderedEpochFactory;

/**
 * Creates and recognises Relay IDs: {@code <prefix>_<32 hex digits of a UUIDv7>}. UUIDv7 starts
 * with a millisecond timestamp, so IDs sort by creation time (good B-tree locality in PostgreSQL,
 * readable in logs) and are unguessable in their random part.
 *
 * <p>Each thread has its own UUIDv7 factory with its own {@link SecureRandom} (DRBG): uuid-creator's
 * shared factory keeps one {@code SecureRandom} behind one lock, and under load the gateway's Netty
 * event loops were parked on that lock for up to 21 ms. Ids from one thread strictly increase;
 * ids from different threads are ordered by their millisecond (and, within it, by microsecond
 * in the 12 bits uuid-creator fills with it), which is what UUIDv7 promises. Every id still carries
 * 48 fresh random bits from a cryptographic generator.
 */
public final class RelayIds {

	private static final Pattern SHAPE = Pattern.compile("([a-z]{2,3})_([0-9a-f]{32})");

	private RelayIds() {
	}

	/** Namespace of {@link #nameBased}: fixed forever, or every derived id would change. */
	private static final UUID NAMESPACE = UUID.fromString("5d0c7a52-3f4e-4f0b-9a51-6c2f1d8e7b10");

	/**
	 * Per thread, so no two threads ever wait on one generator. Not the platform default
	 * {@code SecureRandom} (NativePRNG on Linux): its instances share one global lock around
	 * {@code /dev/urandom}; a DRBG instance locks only itself.
	 */
	private static final ThreadLocal<TimeOrderedEpochFactory> UUID7 = ThreadLocal
		.withInitial(() -> new TimeOrderedEpochFactory(drbg()));

	public static String next(IdKind kind) {
		return render(kind, UUID7.get().create());
	}

	private static SecureRandom drbg() {
		try {
			return SecureRandom.getInstance("DRBG");
		}
		catch (NoSuchAlgorithmException ex) {
			// Every JDK since 9 has DRBG; keep ids secure even on one that does not.
			return new SecureRandom();
		}
	}

	/**
	 * The same id for the same {@code name}, every time and on every instance: a name-based UUID
	 * (version 5, RFC 9562) in Relay's id shape. For ids that a retry must reproduce, such as the
	 * message id of an {@code Idempotency-Key} request, so a request published twice still carries
	 * one id and consumers de-duplicate it. Such ids do not sort by creation time.
	 */
	public static String nameBased(IdKind kind, String name) {
		return render(kind, UuidCreator.getNameBasedSha1(NAMESPACE, name));
	}

	private static String render(IdKind kind, UUID uuid) {
		return kind.prefix() + "_" + uuid.toString().replace("-", "");
	}

	/** The kind of a well-formed ID, or empty if the text is not one of Relay's IDs. */
	public static Optional<IdKind> kindOf(String id) {
		if (id == null) {
			return Optional.empty();
		}
		var matcher = SHAPE.matcher(id);
		if (!matcher.matches()) {
			return Optional.empty();
		}
		for (IdKind kind : IdKind.values()) {
			if (kind.prefix().equals(matcher.group(1))) {
				return Optional.of(kind);
			}
		}
		return Optional.empty();
	}

	public static boolean isValid(String id, IdKind kind) {
		return kindOf(id).filter(kind::equals).isPresent();
	}

}
