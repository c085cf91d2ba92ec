package io.tenantdb.provisioning.postgres;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way this package runs a statement: borrow a connection, bind, run, map, give the connection back. In the
 * spirit of Jdbi's {@code Handle}: {@link #query}, {@link #update}, {@link #withConnection}, {@link #inTransaction};
 * the static forms run on a connection the caller holds. Thread-safe.
 */
final class Jdbc {

    private final DataSource dataSource;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A binder that sets each value in order with {@link PreparedStatement#setObject(int, Object)}. */
    static Binder values(Object... values) {
        return statement -> {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
        };
    }

    /** Runs a query and maps every row. */
    <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return query(connection, sql, binder, mapper);
        }
    }

    /** Runs a query without parameters and maps every row. */
    <T> List<T> query(String sql, RowMapper<T> mapper) throws SQLException {
        return query(sql, values(), mapper);
    }

    /** Runs a query and maps its first row, if any. */
    <T> Optional<T> queryFirst(String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        return query(sql, binder, mapper).stream().findFirst();
    }

    /** Runs one statement in its own implicit transaction. @return its update count */
    int update(String sql, Binder binder) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return update(connection, sql, binder);
        }
    }

    /** Runs {@code work} on one connection in autocommit mode: each statement its own transaction. */
    <T> T withConnection(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return work.run(connection);
        }
    }

    /**
     * Runs {@code work} in one transaction on one connection: committed when it returns, rolled back when it throws.
     */
    <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    // A broken connection cannot roll back; keep the original failure.
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }

    /** Runs a query on a connection the caller holds (inside {@link #inTransaction}). */
    static <T> List<T> query(Connection connection, String sql, Binder binder, RowMapper<T> mapper)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        }
    }

    /** Runs one statement on a connection the caller holds (inside {@link #inTransaction}). */
    static int update(Connection connection, String sql, Binder binder) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            return statement.executeUpdate();
        }
    }

    /** Runs one statement without parameters (DDL) in its own implicit transaction. */
    void execute(String sql) throws SQLException {
        withConnection(connection -> {
            execute(connection, sql);
            return null;
        });
    }

    /** Runs statements without parameters (DDL) on a connection the caller holds; several may be sent as one. */
    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Sets a statement's parameters. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Maps the current row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Work on one borrowed connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
