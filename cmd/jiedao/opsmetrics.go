package main

import (
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// jobMetrics are what the alert rules (deploy/prometheus/jiedao-rules.yml)
// read to tell that the deadline job runs: when it last finished a run
// and how many of its runs failed.
type jobMetrics struct {
	lastRun prometheus.Gauge
	errors  prometheus.Counter
}

func newJobMetrics(reg *prometheus.Registry) jobMetrics {
	m := jobMetrics{
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "jiedao_deadline_job_last_run_timestamp_seconds",
			Help: "Unix time the deadline job last finished a run (with or without error).",
		}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jiedao_deadline_job_errors_total",
			Help: "Runs of the deadline job that ended in an error.",
		}),
	}
	reg.MustRegister(m.lastRun, m.errors)
	registerDiskMetrics(reg, ".")
	return m
}

func (m jobMetrics) ran(err error) {
	m.lastRun.Set(float64(time.Now().Unix()))
	if err != nil {
		m.errors.Inc()
	}
}

// registerDiskMetrics exports the free and total bytes of the filesystem
// holding dir: the working directory, which the systemd unit sets to the
// state directory /var/lib/jiedao (the SQLite database and the backups).
func registerDiskMetrics(reg *prometheus.Registry, dir string) {
	statfs := func() (avail, size float64) {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			return -1, -1
		}
		return float64(st.Bavail) * float64(st.Bsize), float64(st.Blocks) * float64(st.Bsize)
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jiedao_state_filesystem_avail_bytes",
			Help: "Bytes free to jiedao on the filesystem of its working directory (the state directory); -1 if unknown.",
		}, func() float64 { a, _ := statfs(); return a }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "jiedao_state_filesystem_size_bytes",
			Help: "Size in bytes of the filesystem of jiedao's working directory; -1 if unknown.",
		}, func() float64 { _, s := statfs(); return s }),
	)
}
