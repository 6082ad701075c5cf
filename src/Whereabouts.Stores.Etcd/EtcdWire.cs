using System.Text.Json.Serialization;

namespace Whereabouts.Stores.Etcd;

// The etcd v3 API as the gRPC gateway serves it over HTTP/JSON (POST /v3/<service>/<method>): the protobuf
// messages of etcdserverpb in their proto3 JSON mapping. bytes fields are base64 (System.Text.Json does that
// for byte[]), int64 fields travel as JSON strings, and zero, false and empty fields are left out of answers.
// Only the fields this store uses are declared. Shapes observed against etcd 3.4.23: /tmp/etcdprobe/shapes.txt.

public sealed class EtcdResponseHeader
{
    [JsonPropertyName("revision")] public long Revision { get; set; }
}

public sealed class EtcdKeyValue
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("create_revision")] public long CreateRevision { get; set; }
    [JsonPropertyName("mod_revision")] public long ModRevision { get; set; }
    [JsonPropertyName("value")] public byte[]? Value { get; set; }
}

public sealed class EtcdRangeRequest
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
    [JsonPropertyName("limit")] public long Limit { get; set; }
    [JsonPropertyName("keys_only")] public bool KeysOnly { get; set; }
    [JsonPropertyName("count_only")] public bool CountOnly { get; set; }
}

public sealed class EtcdRangeResponse
{
    [JsonPropertyName("header")] public EtcdResponseHeader? Header { get; set; }
    [JsonPropertyName("kvs")] public List<EtcdKeyValue>? Kvs { get; set; }
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("more")] public bool More { get; set; }
}

public sealed class EtcdPutRequest
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("value")] public byte[] Value { get; set; } = [];
}

public sealed class EtcdDeleteRangeRequest
{
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
}

public sealed class EtcdDeleteRangeResponse
{
    [JsonPropertyName("deleted")] public long Deleted { get; set; }
}

/// <summary>One guard of a transaction. target: VERSION | CREATE | MOD | VALUE; result: EQUAL | NOT_EQUAL | GREATER | LESS.</summary>
public sealed class EtcdCompare
{
    [JsonPropertyName("target")] public string Target { get; set; } = "";
    [JsonPropertyName("result")] public string Result { get; set; } = "EQUAL";
    [JsonPropertyName("key")] public byte[] Key { get; set; } = [];
    // Nullable so that a guard on 0 ("create_revision == 0": the key does not exist) is still written.
    [JsonPropertyName("create_revision")] public long? CreateRevision { get; set; }
    [JsonPropertyName("mod_revision")] public long? ModRevision { get; set; }
    [JsonPropertyName("value")] public byte[]? Value { get; set; }

    public static EtcdCompare Absent(byte[] key) => new() { Target = "CREATE", Key = key, CreateRevision = 0 };
    public static EtcdCompare ModifiedAt(byte[] key, long revision) => new() { Target = "MOD", Key = key, ModRevision = revision };
    public static EtcdCompare ValueIs(byte[] key, byte[] value) => new() { Target = "VALUE", Key = key, Value = value };
}

public sealed class EtcdRequestOp
{
    [JsonPropertyName("request_range")] public EtcdRangeRequest? RequestRange { get; set; }
    [JsonPropertyName("request_put")] public EtcdPutRequest? RequestPut { get; set; }
    [JsonPropertyName("request_delete_range")] public EtcdDeleteRangeRequest? RequestDeleteRange { get; set; }
}

public sealed class EtcdResponseOp
{
    [JsonPropertyName("response_range")] public EtcdRangeResponse? ResponseRange { get; set; }
    [JsonPropertyName("response_delete_range")] public EtcdDeleteRangeResponse? ResponseDeleteRange { get; set; }
}

public sealed class EtcdTxnRequest
{
    [JsonPropertyName("compare")] public List<EtcdCompare> Compare { get; set; } = [];
    [JsonPropertyName("success")] public List<EtcdRequestOp> Success { get; set; } = [];
    [JsonPropertyName("failure")] public List<EtcdRequestOp> Failure { get; set; } = [];
}

public sealed class EtcdTxnResponse
{
    [JsonPropertyName("header")] public EtcdResponseHeader? Header { get; set; }
    [JsonPropertyName("succeeded")] public bool Succeeded { get; set; }
    [JsonPropertyName("responses")] public List<EtcdResponseOp>? Responses { get; set; }
}

public sealed class EtcdAuthenticateRequest
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("password")] public string Password { get; set; } = "";
}

public sealed class EtcdAuthenticateResponse
{
    [JsonPropertyName("token")] public string? Token { get; set; }
}

/// <summary>The gateway's error body: the gRPC status code and message.</summary>
public sealed class EtcdGatewayError
{
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("code")] public int Code { get; set; }
}

[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(EtcdRangeRequest))]
[JsonSerializable(typeof(EtcdRangeResponse))]
[JsonSerializable(typeof(EtcdPutRequest))]
[JsonSerializable(typeof(EtcdDeleteRangeRequest))]
[JsonSerializable(typeof(EtcdDeleteRangeResponse))]
[JsonSerializable(typeof(EtcdTxnRequest))]
[JsonSerializable(typeof(EtcdTxnResponse))]
[JsonSerializable(typeof(EtcdAuthenticateRequest))]
[JsonSerializable(typeof(EtcdAuthenticateResponse))]
[JsonSerializable(typeof(EtcdGatewayError))]
internal sealed partial class EtcdJson : JsonSerializerContext;
