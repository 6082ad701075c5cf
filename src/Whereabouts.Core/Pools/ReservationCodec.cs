using System.Text.Json;
using LanguageExt;

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

    /// <summary>Reads a spec document with a Utf8JsonReader (see PoolCodec.Decode); an unreadable one is an error.</summary>
    public static Fin<Owner> Decode(string reservationName, ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read()) return Errors.CorruptReservation(reservationName, "it is empty");
            var owner = OwnerReader.Read(ref reader, "containerid"u8);
            while (reader.Read()) { } // the rest must be well-formed too
            return owner;
        }
        catch (JsonException e)
        {
            return Errors.CorruptReservation(reservationName, e.Message);
        }
    }
}
