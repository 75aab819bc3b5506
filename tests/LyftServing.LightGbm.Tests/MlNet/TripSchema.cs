namespace TripModels;

/// <summary>The ML.NET input schema of the trip_risk_mlnet fixture (as it was trained, tests/assets/make-lightgbm-models).</summary>
public sealed class TripFeatures
{
    public float TripKm { get; set; }

    public float HourOfDay { get; set; }

    public float SurgeMultiplier { get; set; }

    public float DriverRating { get; set; }

    public float RiderTenureDays { get; set; }

    public float PriorCancellations { get; set; }
}

/// <summary>The ML.NET output schema: the calibrated probability of the binary LightGBM model.</summary>
public sealed class TripRisk
{
    public float Probability { get; set; }
}
