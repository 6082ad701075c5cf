namespace Whereabouts.KubeTestServer;

/// <summary>
/// Run-time adjustable faults. Every request first draws from here; a pre-apply fault
/// (500, 429, drop) is decided before the store is touched, so it never half-applies.
/// All members are safe to change while requests are in flight.
/// </summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly Queue<(string Verb, FaultKind Kind)> _scripted = new();
    private Random _random;
    private TimeSpan _latency;
    private double _rate500, _rate429, _rateDrop, _rateApplyThenDrop;
    private IReadOnlySet<string>? _verbs;

    internal FaultInjector(int? seed) => _random = seed is { } s ? new Random(s) : new Random();

    /// <summary>Delay added to every request before it is handled.</summary>
    public TimeSpan Latency { get { lock (_gate) return _latency; } set { lock (_gate) _latency = value; } }

    /// <summary>Chance (0..1) that a request gets a 500 InternalError.</summary>
    public double FailureRate500 { get => Read(ref _rate500); set => Write(ref _rate500, value); }

    /// <summary>Chance (0..1) that a request gets a 429 with <c>Retry-After: 1</c>.</summary>
    public double FailureRate429 { get => Read(ref _rate429); set => Write(ref _rate429, value); }

    /// <summary>Chance (0..1) that the connection is aborted without a response, before applying.</summary>
    public double DropConnectionRate { get => Read(ref _rateDrop); set => Write(ref _rateDrop, value); }

    /// <summary>Chance (0..1) that a successful write is committed and then the connection aborted.</summary>
    public double FailAfterApplyRate { get => Read(ref _rateApplyThenDrop); set => Write(ref _rateApplyThenDrop, value); }

    /// <summary>
    /// When set, the rates above only hit requests with these verbs (see <see cref="KubeVerbs"/>).
    /// Latency and scripted faults ignore this filter. Null means every verb.
    /// </summary>
    public IReadOnlySet<string>? Verbs { get { lock (_gate) return _verbs; } set { lock (_gate) _verbs = value; } }

    /// <summary>Restart the random sequence so a run with faults can be replayed.</summary>
    public void Seed(int seed) { lock (_gate) _random = new Random(seed); }

    /// <summary>
    /// Deterministic fault: the next <paramref name="times"/> requests with <paramref name="verb"/>
    /// get <paramref name="kind"/>, ahead of any random draw. Scripted faults fire in FIFO order.
    /// </summary>
    public void FailNext(string verb, FaultKind kind, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(times);
        lock (_gate)
        {
            for (var i = 0; i < times; i++) _scripted.Enqueue((verb, kind));
        }
    }

    /// <summary>Turn every fault off (rates, latency, verb filter, scripted faults).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _latency = TimeSpan.Zero;
            _rate500 = _rate429 = _rateDrop = _rateApplyThenDrop = 0;
            _verbs = null;
            _scripted.Clear();
        }
    }

    /// <summary>Decide the fate of one request. Null means handle it normally.</summary>
    internal FaultKind? Draw(string verb)
    {
        lock (_gate)
        {
            if (TakeScripted(verb) is { } scripted) return scripted;
            if (_verbs is not null && !_verbs.Contains(verb)) return null;
            // One draw per kind keeps each rate independent of the others' settings.
            if (Hit(_rateDrop)) return FaultKind.DropConnection;
            if (Hit(_rate500)) return FaultKind.InternalServerError;
            if (Hit(_rate429)) return FaultKind.TooManyRequests;
            if (KubeVerbs.IsWrite(verb) && Hit(_rateApplyThenDrop)) return FaultKind.ApplyThenDrop;
            return null;
        }
    }

    private FaultKind? TakeScripted(string verb)
    {
        if (_scripted.Count == 0) return null;
        // Only the first matching entry fires; entries for other verbs keep their place.
        var kept = new Queue<(string, FaultKind)>();
        FaultKind? found = null;
        while (_scripted.TryDequeue(out var entry))
        {
            if (found is null && string.Equals(entry.Verb, verb, StringComparison.OrdinalIgnoreCase)) found = entry.Kind;
            else kept.Enqueue(entry);
        }
        foreach (var e in kept) _scripted.Enqueue(e);
        return found;
    }

    private bool Hit(double rate) => rate > 0 && _random.NextDouble() < rate;

    private double Read(ref double field) { lock (_gate) return field; }

    private void Write(ref double field, double value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1.0);
        lock (_gate) field = value;
    }
}
