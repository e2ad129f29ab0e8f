package webrtc

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// pionLogs adapts pion's leveled loggers to slog. Pion's errors are our
// warnings and its warnings our debug messages: pion warns about ordinary
// events of a closing connection that an operator need not see.
type pionLogs struct{ log *slog.Logger }

// NewLogger implements logging.LoggerFactory.
func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) at(level slog.Level, msg string) {
	l.log.Log(context.Background(), level, msg)
}

func (l pionLogger) atf(level slog.Level, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

func (l pionLogger) Trace(msg string)                  {}
func (l pionLogger) Tracef(format string, args ...any) {}
func (l pionLogger) Debug(msg string)                  { l.at(slog.LevelDebug-4, msg) }
func (l pionLogger) Debugf(format string, args ...any) { l.atf(slog.LevelDebug-4, format, args...) }
func (l pionLogger) Info(msg string)                   { l.at(slog.LevelDebug, msg) }
func (l pionLogger) Infof(format string, args ...any)  { l.atf(slog.LevelDebug, format, args...) }
func (l pionLogger) Warn(msg string)                   { l.at(slog.LevelDebug, msg) }
func (l pionLogger) Warnf(format string, args ...any)  { l.atf(slog.LevelDebug, format, args...) }
func (l pionLogger) Error(msg string)                  { l.at(slog.LevelWarn, msg) }
func (l pionLogger) Errorf(format string, args ...any) { l.atf(slog.LevelWarn, format, args...) }
