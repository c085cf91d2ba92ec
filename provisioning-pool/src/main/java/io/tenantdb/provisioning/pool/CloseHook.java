package io.tenantdb.provisioning.pool;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Connection} that runs an action exactly once after the connection it wraps is closed or aborted; every
 * other call goes straight through. Thread-safe.
 */
final class CloseHook implements InvocationHandler {

    private final Connection target;
    private final Runnable afterClose;
    private final AtomicBoolean done = new AtomicBoolean();

    private CloseHook(Connection target, Runnable afterClose) {
        this.target = target;
        this.afterClose = afterClose;
    }

    static Connection wrap(Connection target, Runnable afterClose) {
        return (Connection) Proxy.newProxyInstance(CloseHook.class.getClassLoader(), new Class<?>[] {Connection.class},
                new CloseHook(target, afterClose));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "close":
                try {
                    target.close();
                } finally {
                    runOnce();
                }
                return null;
            case "abort":
                abort((Executor) args[0]);
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "CloseHook[" + target + "]";
            default:
                try {
                    return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
        }
    }

    // An abort runs on the caller's executor; the action must wait for it, not for abort() to return.
    private void abort(Executor executor) throws java.sql.SQLException {
        AtomicBoolean scheduled = new AtomicBoolean();
        try {
            target.abort(command -> {
                scheduled.set(true);
                executor.execute(() -> {
                    try {
                        command.run();
                    } finally {
                        runOnce();
                    }
                });
            });
        } finally {
            if (!scheduled.get()) {
                runOnce();
            }
        }
    }

    private void runOnce() {
        if (done.compareAndSet(false, true)) {
            afterClose.run();
        }
    }
}
