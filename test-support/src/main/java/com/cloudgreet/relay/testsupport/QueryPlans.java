package com.cloudgreet.relay.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Query plans of a test database, to check that a query can use an index. A test table holds a
 * few rows, where a sequential scan is always cheapest; with {@code enable_seqscan} off the planner
 * still chooses one when no index fits, so "no Seq Scan in the plan" means an index serves it.
 */
public final class QueryPlans {

	private QueryPlans() {
	}

	/** The plan of {@code sql} (literals, no parameters) in {@code schema}, one line per node. */
	public static List<String> explain(String jdbcUrl, String schema, String sql) {
		Properties credentials = new Properties();
		credentials.setProperty("user", "postgres");
		try (Connection connection = DriverManager.getConnection(jdbcUrl, credentials);
				Statement statement = connection.createStatement()) {
			statement.execute("set search_path to " + schema);
			statement.execute("set enable_seqscan = off");
			List<String> plan = new ArrayList<>();
			try (ResultSet rows = statement.executeQuery("explain " + sql)) {
				while (rows.next()) {
					plan.add(rows.getString(1));
				}
			}
			return plan;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot explain " + sql, ex);
		}
	}

	/** The plan's sequential scans (empty when every table is read through an index). */
	public static List<String> sequentialScans(String jdbcUrl, String schema, String sql) {
		return explain(jdbcUrl, schema, sql).stream().filter((line) -> line.contains("Seq Scan")).toList();
	}

}
