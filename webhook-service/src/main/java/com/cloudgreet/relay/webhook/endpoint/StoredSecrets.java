package com.cloudgreet.relay.webhook.endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.webhook.signing.SecretCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Upkeep of the stored signing secrets, in batches:
 * <ul>
 * <li>at start-up, before any delivery, every secret not under the current key (plaintext rows
 * from before encryption at rest, rows under a retired key) is rewritten under it; a plaintext
 * row is read nowhere else. Rotating the key is: add
 * the new key to {@code relay.webhooks.secret-keys}, make it {@code secret-key-id}, restart; once
 * the log says no row is left under the old key, remove it.</li>
 * <li>every {@code purgeInterval}, previous secrets whose grace period ended are deleted.</li>
 * </ul>
 * Both are safe on any number of instances at once: a rewrite only replaces the exact value it
 * read (compare-and-set), so it never overwrites a concurrent rotation.
 */
public class StoredSecrets implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(StoredSecrets.class);

	private static final int BATCH = 500;

	/** Longest wait for the re-encryption at start-up (a database that does not answer must not hold start-up forever). */
	private static final Duration START_UP_WAIT = Duration.ofSeconds(30);

	private final DatabaseClient db;

	private final SecretCipher cipher;

	private final Duration purgeInterval;

	private volatile Disposable running;

	public StoredSecrets(DatabaseClient db, SecretCipher cipher, Duration purgeInterval) {
		this.db = db;
		this.cipher = cipher;
		this.purgeInterval = purgeInterval;
	}

	/** A table holding secrets: its name, its endpoint id column and a text key to page by, all over alias {@code t}. */
	private record SecretTable(String name, String endpointId, String key) {
	}

	private static final List<SecretTable> TABLES = List.of(new SecretTable("endpoint", "t.id", "t.id"),
			new SecretTable("endpoint_previous_secret", "t.endpoint_id", "cast(t.id as text)"));

	/** Rewrites every secret not under the current key; the number rewritten. */
	public Mono<Long> reEncrypt() {
		return Flux.fromIterable(TABLES).concatMap(this::reEncrypt).reduce(0L, Long::sum);
	}

	/**
	 * One table, in keyset batches. A value that cannot be decrypted is logged and left as it is;
	 * deliveries to its endpoint fail (retryably) until its key is configured again.
	 */
	private Mono<Long> reEncrypt(SecretTable table) {
		return batch(table, "")
			.expand((rows) -> rows.size() < BATCH ? Mono.empty() : batch(table, rows.get(rows.size() - 1).key()))
			.concatMap((rows) -> rewrite(table, rows))
			.reduce(0L, Long::sum);
	}

	private record Row(String key, String endpointId, String stored) {
	}

	/** Up to {@link #BATCH} rows after {@code after} whose secret is not under the current key. */
	private Mono<List<Row>> batch(SecretTable table, String after) {
		return this.db
			.sql("select " + table.key() + " as k, " + table.endpointId() + " as endpoint_id, t.secret from "
					+ table.name() + " t where " + table.key() + " > :after and t.secret not like :current order by "
					+ table.key() + " limit :batch")
			.bind("after", after)
			.bind("current", this.cipher.currentPrefix() + "%")
			.bind("batch", BATCH)
			.map((row) -> new Row(row.get("k", String.class), row.get("endpoint_id", String.class),
					row.get("secret", String.class)))
			.all()
			.collectList();
	}

	/** Writes each row's secret under the current key, only where it still holds the value read. */
	private Mono<Long> rewrite(SecretTable table, List<Row> rows) {
		List<String> keys = new ArrayList<>();
		List<String> olds = new ArrayList<>();
		List<String> news = new ArrayList<>();
		for (Row row : rows) {
			try {
				// The one place a plaintext row is read: to encrypt it.
				String secret = SecretCipher.isPlaintext(row.stored()) ? row.stored()
						: this.cipher.decrypt(row.stored(), row.endpointId());
				keys.add(row.key());
				olds.add(row.stored());
				news.add(this.cipher.encrypt(secret, row.endpointId()));
			}
			catch (SecretCipher.UndecryptableSecretException ex) {
				log.error("{}; left as it is", ex.getMessage());
			}
		}
		if (keys.isEmpty()) {
			return Mono.just(0L);
		}
		return this.db
			.sql("update " + table.name() + " t set secret = v.new from unnest(cast(:keys as text[]), "
					+ "cast(:olds as text[]), cast(:news as text[])) as v(k, old, new) where " + table.key()
					+ " = v.k and t.secret = v.old")
			.bind("keys", keys.toArray(String[]::new))
			.bind("olds", olds.toArray(String[]::new))
			.bind("news", news.toArray(String[]::new))
			.fetch()
			.rowsUpdated();
	}

	/** Deletes previous secrets whose grace period has ended, in batches; the number deleted. */
	public Mono<Long> purgeExpired() {
		Mono<Long> batch = this.db
			.sql("delete from endpoint_previous_secret where id in (select id from endpoint_previous_secret "
					+ "where expires_at <= now() limit :batch)")
			.bind("batch", BATCH)
			.fetch()
			.rowsUpdated();
		return batch.expand((deleted) -> deleted < BATCH ? Mono.empty() : batch).reduce(0L, Long::sum);
	}

	/**
	 * Before the delivery engine and the Kafka listeners: deliveries refuse plaintext secrets, so
	 * the rows from before encryption at rest are encrypted before the first claim.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 2048;
	}

	@Override
	public synchronized void start() {
		if (this.running != null) {
			return;
		}
		Mono<Void> reEncryption = reEncrypt().doOnNext((count) -> {
			if (count > 0) {
				log.info("Re-encrypted {} stored signing secrets under key '{}'", count, this.cipher.currentKeyId());
			}
		}).then(remaining()).doOnNext((left) -> {
			if (left > 0) {
				log.warn("{} stored signing secrets are not under key '{}' (see the errors above); keep their keys",
						left, this.cipher.currentKeyId());
			}
			else {
				log.info("Every stored signing secret is under key '{}'; other keys may be retired",
						this.cipher.currentKeyId());
			}
		})
			// Until it succeeds, endpoints with plaintext secrets fail their attempts (retryably).
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
				.maxBackoff(Duration.ofMinutes(1))
				.doBeforeRetry((signal) -> log.warn("Re-encrypting stored signing secrets failed; retrying",
						signal.failure())))
			.then()
			.cache();
		Flux<Long> purges = Flux.interval(this.purgeInterval, this.purgeInterval)
			.onBackpressureDrop()
			.concatMap((tick) -> purgeExpired().onErrorResume((ex) -> {
				log.warn("Purging expired previous signing secrets failed; retrying next tick", ex);
				return Mono.empty();
			}), 1);
		this.running = Flux.merge(reEncryption.then(Mono.<Long>empty()), purges).subscribe();
		try {
			// Start-up, on the thread that starts the context, before anything serves: waiting here is
			// what puts the re-encryption before the first delivery (the engine starts in a later phase).
			reEncryption.block(START_UP_WAIT);
		}
		catch (RuntimeException ex) {
			log.warn("Re-encrypting stored signing secrets did not finish within {}; it goes on in the background",
					START_UP_WAIT);
		}
	}

	/** Secrets in both tables not under the current key. */
	private Mono<Long> remaining() {
		return this.db
			.sql("select (select count(*) from endpoint where secret not like :current) "
					+ "+ (select count(*) from endpoint_previous_secret where secret not like :current) as n")
			.bind("current", this.cipher.currentPrefix() + "%")
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	@Override
	public synchronized void stop() {
		if (this.running != null) {
			this.running.dispose();
			this.running = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running != null;
	}

}
