using System.Text.Json;

namespace Whereabouts.Core.Pools;

/// <summary>The OverlappingRangeIPReservation spec as JSON: <c>{"containerid":"…","podref":"ns/pod","ifname":"net1"}</c>.</summary>
public static class ReservationCodec
{
    public static void Write(Utf8JsonWriter w, Owner owner)
    {
        w.WriteStartObject();
        w.WriteString("containerid", owner.ContainerId);
        w.WriteString("podref", owner.PodRef);
        if (owner.IfName.Length > 0) w.WriteString("ifname", owner.IfName);
        w.WriteEndObject();
    }

    public static byte[] Encode(Owner owner)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonEscaping.Compact)) Write(w, owner);
        return buffer.ToArray();
    }

    public static Owner Read(JsonElement spec) =>
        new(Text(spec, "containerid"), Text(spec, "podref"), Text(spec, "ifname"));

    /// <summary>Reads a spec document (see PoolCodec.Decode on why not JsonDocument); throws JsonException if it is not JSON.</summary>
    public static Owner Decode(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        if (!reader.Read()) throw new JsonException("the reservation is empty");
        var owner = OwnerReader.Read(ref reader, "containerid"u8);
        while (reader.Read()) { }
        return owner;
    }

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
