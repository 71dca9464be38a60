using System.Globalization;
using System.Text;
using Bifrost.Domain.States;
using Bifrost.Domain.Store;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

/// <summary>
/// Builds the SELECT for one <see cref="NodeQuery"/>: filters become parameterized WHERE terms, the sort key a
/// column expression with <c>id</c> as tie-break (in the same direction, as Ironic's paginate_query does), and a
/// marker the keyset condition "(sort value, id) after the marker's".
/// </summary>
internal sealed class NodeListSql
{
    private readonly Dictionary<string, object> _parameters = [];
    private readonly NodeQuery _query;
    private readonly List<string> _where = [];
    private readonly string _direction;

    public NodeListSql(NodeQuery query)
    {
        _query = query;
        SortExpression = SortExpressionOf(query.SortKey);
        _direction = query.SortDir == SortDirection.Desc ? "DESC" : "ASC";
        AddFilters();
    }

    /// <summary>Parameter values for the text <see cref="Build"/> returns.</summary>
    public IReadOnlyDictionary<string, object> Parameters => _parameters;

    /// <summary>The ORDER BY expression of the sort key; never NULL, so comparisons against a marker are total.</summary>
    public string SortExpression { get; }

    /// <summary>Restricts the result to rows strictly after the marker row in the requested order.</summary>
    public void After(string markerSortValue, long markerId)
    {
        var op = _query.SortDir == SortDirection.Desc ? "<" : ">";
        _parameters.Add("@marker_id", markerId);
        if (_query.SortKey == NodeSortKey.Id)
        {
            _where.Add($"id {op} @marker_id");
            return;
        }

        _parameters.Add("@marker_key", markerSortValue);
        // A later sort value, or the same one and a later id. Spelled as "key >= k AND (key > k OR id > i)" rather
        // than the row value "(key, id) > (k, i)" because SQLite turns only the former into an index range.
        _where.Add($"{SortExpression} {op}= @marker_key AND ({SortExpression} {op} @marker_key OR id {op} @marker_id)");
    }

    public string Build()
    {
        var sql = new StringBuilder(NodeRowMapper.SelectColumns.Length + 256);
        sql.Append("SELECT ").Append(NodeRowMapper.SelectColumns).Append(" FROM nodes");
        for (var i = 0; i < _where.Count; i++) sql.Append(i == 0 ? " WHERE " : " AND ").Append(_where[i]);
        sql.Append(" ORDER BY ").Append(SortExpression).Append(' ').Append(_direction);
        if (_query.SortKey != NodeSortKey.Id) sql.Append(", id ").Append(_direction);
        if (_query.Limit is { } limit)
        {
            _parameters.Add("@limit", (long)limit);
            sql.Append(" LIMIT @limit");
        }

        return sql.ToString();
    }

    private void AddFilters()
    {
        var q = _query;
        if (q.ProvisionStates is { } states)
        {
            var names = new List<string>(states.Count);
            var i = 0;
            foreach (var state in states.Distinct())
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@ps{i++}");
                _parameters.Add(name, state.ToWire());
                names.Add(name);
            }

            _where.Add($"provision_state IN ({string.Join(", ", names)})");
        }

        if (q.Maintenance is { } maintenance) Filter("maintenance = @maintenance", "@maintenance", Db(maintenance));
        if (q.Driver is { } driver) Filter("driver = @driver", "@driver", driver);
        if (q.ResourceClass is { } resourceClass) Filter("resource_class = @resource_class", "@resource_class", resourceClass);
        if (q.Fault is { } fault) Filter("fault = @fault", "@fault", fault);
        if (q.Reserved is { } reserved) _where.Add(reserved ? "reservation IS NOT NULL" : "reservation IS NULL");
        if (q.ProvisionUpdatedBefore is { } before)
        {
            // Fixed-width UTC text compares in time order; NULL (never changed state) never matches.
            Filter("provision_updated_at < @provision_updated_before", "@provision_updated_before", Timestamp(before));
        }
    }

    private void Filter(string term, string parameter, object value)
    {
        _where.Add(term);
        _parameters.Add(parameter, value);
    }

    private static string SortExpressionOf(NodeSortKey key) => key switch
    {
        NodeSortKey.Id => "id",
        NodeSortKey.Uuid => "uuid",
        NodeSortKey.Name => "COALESCE(name, '')",
        NodeSortKey.CreatedAt => "created_at",
        NodeSortKey.UpdatedAt => "COALESCE(updated_at, '')",
        NodeSortKey.ProvisionState => "provision_state",
        NodeSortKey.ProvisionUpdatedAt => "COALESCE(provision_updated_at, '')",
        NodeSortKey.Driver => "driver",
        NodeSortKey.PowerState => "COALESCE(power_state, '')",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Unknown node sort key."),
    };
}
