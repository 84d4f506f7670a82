package com.cloudgreet.relay.testsupport;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Creates the PostgreSQL database a test context points at ({@code spring.flyway.url}) if it does
 * not exist yet, so {@code ./mvnw verify} needs nothing but a running server. Registered in
 * {@code META-INF/spring.factories}; runs once per database per JVM.
 */
public class TestDatabaseInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private static final Set<String> ENSURED = ConcurrentHashMap.newKeySet();

	/** PostgreSQL's error code for a database that already exists (a concurrent creator won). */
	private static final String DUPLICATE_DATABASE = "42P04";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		Environment env = context.getEnvironment();
		String url = env.getProperty("spring.flyway.url");
		if (url == null || !url.startsWith("jdbc:postgresql:") || !ENSURED.add(url)) {
			return;
		}
		URI uri = URI.create(url.substring("jdbc:".length()));
		String database = uri.getPath().substring(1);
		if (!database.matches("[a-z0-9_]+")) {
			throw new IllegalStateException("Test database name must be [a-z0-9_]+: " + database);
		}
		String adminUrl = "jdbc:postgresql://" + uri.getAuthority() + "/postgres";
		Properties credentials = new Properties();
		credentials.setProperty("user", env.getProperty("spring.flyway.user", "postgres"));
		String password = env.getProperty("spring.flyway.password");
		if (password != null) {
			credentials.setProperty("password", password);
		}
		try (Connection connection = DriverManager.getConnection(adminUrl, credentials)) {
			var exists = connection.prepareStatement("select 1 from pg_database where datname = ?");
			exists.setString(1, database);
			if (!exists.executeQuery().next()) {
				connection.createStatement().execute("create database " + database);
			}
		}
		catch (SQLException ex) {
			if (!DUPLICATE_DATABASE.equals(ex.getSQLState())) {
				throw new IllegalStateException("Cannot create test database " + database + " at " + adminUrl
						+ " (is PostgreSQL running? ./dev/up or .ci/run start it)", ex);
			}
		}
	}

}
