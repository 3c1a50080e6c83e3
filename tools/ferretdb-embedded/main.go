// Command ferretdb-embedded runs FerretDB (MongoDB wire protocol on SQLite) for Plexus's
// embedded stack. It exists because the published v1.24.2 module lacks the generated
// build/version/version.txt, so `go install .../cmd/ferretdb@v1.24.2` builds a binary that
// panics at start; FerretDB's embeddable package has no such requirement.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "file:.data/ferretdb/", "SQLite backend directory URL (must end with /)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-embedded: bad -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-embedded: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go keepIDIndexes(ctx, sqliteDir(*sqliteURL), time.Second, logger)
	fmt.Fprintf(os.Stderr, "ferretdb-embedded: listening on %s (sqlite %s)\n", *listenAddr, *sqliteURL)
	if err := db.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-embedded: %v\n", err)
		os.Exit(1)
	}
}

// sqliteDir is the directory of a `file:/dir/?params` or `file:dir/?params` SQLite URL.
func sqliteDir(sqliteURL string) string {
	parsed, err := url.Parse(sqliteURL)
	if err != nil {
		return ""
	}
	if parsed.Opaque != "" {
		return parsed.Opaque
	}
	return parsed.Path
}
