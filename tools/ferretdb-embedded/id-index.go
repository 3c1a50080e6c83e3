package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// FerretDB v1.24's SQLite backend indexes _id on the expression `_ferretdb_sjson->"_id"` but
// filters with `_ferretdb_sjson->'$._id'`. SQLite matches index expressions as written, so the
// index is never used and every query, a single-_id lookup included, scans the whole table
// (7 s a lookup at a million devices). This keeps an index on the expression FerretDB's queries
// use on every collection table, which turns _id lookups into index searches.

const idIndexSuffix = "_plexus_id"

// keepIDIndexes indexes new collection tables in the SQLite files under dir until ctx ends.
func keepIDIndexes(ctx context.Context, dir string, interval time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if err := ensureIDIndexes(ctx, file, logger); err != nil {
				logger.Warn("could not index _id lookups", "file", file, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// ensureIDIndexes adds the lookup index to each collection table of one database file that lacks it.
func ensureIDIndexes(ctx context.Context, file string, logger *slog.Logger) error {
	// mode=rw: a database FerretDB has just dropped must not be created again here.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()

	rows, err := db.QueryContext(ctx, `
		SELECT t.name FROM sqlite_master AS t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		  AND NOT EXISTS (SELECT 1 FROM sqlite_master AS i WHERE i.type = 'index' AND i.name = t.name || ?)`, idIndexSuffix)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, table)
	}
	rows.Close()

	for _, table := range tables {
		statement := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, quote(table+idIndexSuffix), quote(table))
		if _, err := db.ExecContext(ctx, statement); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		logger.Debug("indexed _id lookups", "file", filepath.Base(file), "table", table)
	}
	return nil
}

func quote(identifier string) string {
	return `"` + strings.ReplaceAll(identifier, `"`, `""`) + `"`
}
