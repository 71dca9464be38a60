using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Bifrost.Api.Metrics;

/// <summary>
/// Listens to every instrument of every meter named <c>Bifrost.*</c> (System.Diagnostics.Metrics) and renders them
/// in the Prometheus text format. Areas only create a static <c>Meter("Bifrost.Area")</c>: nothing registers here.
/// A meter created with a scope object belongs to one application; the exporter of another (tests run several in one
/// process) ignores it.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string MeterPrefix = "Bifrost.";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();
    private readonly object? _scope;
    private readonly Lock _collecting = new();

    /// <param name="scope">Meters with this scope (or none) are exported; meters scoped to another object are not.</param>
    public PrometheusExporter(object? scope = null)
    {
        _scope = scope;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!Wanted(instrument.Meter)) return;
            _instruments[instrument] = Describe(instrument);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.MeasurementsCompleted = (instrument, state) => _instruments.TryRemove(instrument, out var removed);
        // One callback per numeric type the BCL allows for instruments.
        _listener.SetMeasurementEventCallback<byte>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<short>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<float>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<decimal>((i, v, t, _) => Record(i, (double)v, t));
        _listener.Start();
    }

    private bool Wanted(Meter meter) =>
        meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal) && (meter.Scope is null || ReferenceEquals(meter.Scope, _scope));

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var series)) series.Record(value, tags);
    }

    private static InstrumentSeries Describe(Instrument instrument)
    {
        var name = PrometheusText.MetricName(instrument.Name);
        var type = instrument.GetType();
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        // Counter → counter; UpDownCounter and Gauge → gauge; Histogram → histogram. Observable ones report totals.
        return generic switch
        {
            _ when generic == typeof(Counter<>) => new(instrument, name, MetricKind.Counter, observable: false, cumulative: true),
            _ when generic == typeof(ObservableCounter<>) => new(instrument, name, MetricKind.Counter, observable: true, cumulative: true),
            _ when generic == typeof(UpDownCounter<>) => new(instrument, name, MetricKind.Gauge, observable: false, cumulative: true),
            _ when generic == typeof(ObservableUpDownCounter<>) => new(instrument, name, MetricKind.Gauge, observable: true, cumulative: true),
            _ when generic == typeof(Histogram<>) => new(instrument, name, MetricKind.Histogram, observable: false, cumulative: true),
            _ when generic == typeof(ObservableGauge<>) => new(instrument, name, MetricKind.Gauge, observable: true, cumulative: false),
            // Gauge<T> (sync, last value wins) and any instrument kind a later BCL adds.
            _ => new(instrument, name, MetricKind.Gauge, observable: instrument.IsObservable, cumulative: false),
        };
    }

    /// <summary>Polls the observable instruments, then renders everything.</summary>
    public string Collect()
    {
        var sb = new StringBuilder(4096);
        lock (_collecting)
        {
            foreach (var s in _instruments.Values)
                if (s.Observable) s.Clear();
            _listener.RecordObservableInstruments();
            PrometheusText.Write(sb, _instruments.Values);
        }
        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();
}
