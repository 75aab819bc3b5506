namespace LyftServing.LightGbm.Tests.TestSupport;

/// <summary>A user's features type for the trip models, and the typed mapping a user would write.</summary>
public sealed record Trip(double TripKm, double HourOfDay, double SurgeMultiplier, double DriverRating, double RiderTenureDays, double PriorCancellations)
{
    public static Trip FromRow(double[] row) => new(row[0], row[1], row[2], row[3], row[4], row[5]);

    /// <summary>Writes a trip in the models' feature order.</summary>
    public static void Write(Trip trip, Span<double> row)
    {
        row[0] = trip.TripKm;
        row[1] = trip.HourOfDay;
        row[2] = trip.SurgeMultiplier;
        row[3] = trip.DriverRating;
        row[4] = trip.RiderTenureDays;
        row[5] = trip.PriorCancellations;
    }
}

/// <summary>The multiclass model's scores as a user's type.</summary>
public readonly record struct TripLength(double ShortTrip, double MediumTrip, double LongTrip)
{
    public static TripLength Read(ReadOnlySpan<double> scores) => new(scores[0], scores[1], scores[2]);
}
