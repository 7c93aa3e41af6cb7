//! The dashboard: the compared units, completeness, matrix, trend and headline counts.
use super::*;

/// The province's trend over the span, and the chosen unit's (a district, or a commune
/// after 2025, following its predecessors) when one is given: the lines of
/// the dashboard's trend chart, named in the reader's language. `provinces` is
/// [`figures::provinces`], read once by the computation.
pub async fn dashboard_trend(
    db: &Db,
    f: &FigureFilter,
    provinces: &[Choice],
    district: Option<&Choice>,
    lang: Lang,
) -> Result<Vec<(String, Vec<TrendRow>)>, DbErr> {
    let span = f.period.trend_span();
    let model = f.model.as_deref();
    let mut lines = Vec::new();
    let chosen = match &f.province {
        Some(code) => provinces.iter().find(|p| &p.code == code),
        None => provinces.first(),
    };
    if figures::shows_country(f, provinces) {
        lines.push((lang.texts().whole_country.to_string(), figures::country_trend(db, &span, model).await?));
    } else if let Some(p) = chosen {
        let name = format!("{} {}", lang.texts().province_prefix, p.name);
        // A province's database holds its lineage and nothing else: its trend is the
        // database's, read from the kept totals instead of every one of its surveys.
        let rows = if provinces.len() == 1 {
            figures::country_trend(db, &span, model).await?
        } else {
            figures::trend(db, &p.code, &span, model).await?
        };
        lines.push((name, rows));
    }
    if let Some(d) = district {
        lines.push((d.name.clone(), figures::trend(db, &d.code, &span, model).await?));
    }
    Ok(lines)
}

/// The district of a URL among the choices; an unknown one is the user's mistake.
pub fn chosen_district(districts: &[Choice], code: Option<&str>) -> Result<Option<Choice>, FilterError> {
    match code {
        None => Ok(None),
        Some(c) => districts
            .iter()
            .find(|d| d.code == c)
            .cloned()
            .map(Some)
            .ok_or_else(|| FilterError::UnknownDistrict(c.to_string())),
    }
}

/// The group × model matrix of adoption for P: the groups completeness counts (the
/// districts before 2025, the provinces after) as rows, summed by province for a whole
/// country. It reads the structure alone, so it is kept with it: a survey write leaves it
/// be, instead of a country's 700 districts × models looked up cell by cell again.
pub async fn adoption_matrix(
    db: &Db,
    f: &FigureFilter,
    models: &[Choice],
    provinces: &[Choice],
) -> Result<std::sync::Arc<crate::domain::AdoptionMatrix>, DbErr> {
    let country = figures::shows_country(f, provinces);
    figures::structural(("adoption_matrix", f.period, f.province.clone(), country), || async {
        let (groups, cells) =
            futures_util::future::try_join(figures::completeness_groups(db, f), figures::adoption_cells(db, f.period)).await?;
        let cell = |group: &str, model: &str| cells.get(&(group.to_string(), model.to_string())).copied().unwrap_or(0);
        let mut matrix = crate::domain::AdoptionMatrix::new(groups.to_vec(), models.to_vec(), cell);
        if country && !crate::domain::compares_communes(f.period) {
            let (parent, compared) = futures_util::future::try_join(
                figures::province_of(db, crate::domain::UnitLevel::District),
                figures::provinces_during(db, f.period),
            )
            .await?;
            matrix = matrix.by_province(&compared, |d| parent.get(d).cloned());
        }
        Ok(std::sync::Arc::new(matrix))
    })
    .await
}

/// How many communes of the groups completeness counts (the communes of P in scope) run no
/// model, one, two…: (models, communes), by number of models, every count from none to the
/// most present. Kept with the structure.
pub async fn models_distribution(db: &Db, f: &FigureFilter) -> Result<std::sync::Arc<Vec<(u64, u64)>>, DbErr> {
    figures::structural(("models_distribution", f.period, f.province.clone()), || async {
        let (groups, per_commune) =
            futures_util::future::try_join(figures::completeness_groups(db, f), figures::models_per_commune(db, f.period)).await?;
        let groups: std::collections::HashSet<&str> = groups.iter().map(|(code, _, _)| code.as_str()).collect();
        let mut by_models = std::collections::BTreeMap::new();
        for (parent, models, communes) in per_commune.iter() {
            if groups.contains(parent.as_str()) {
                *by_models.entry(*models).or_insert(0) += communes;
            }
        }
        let most = by_models.keys().copied().max().unwrap_or(0);
        Ok(std::sync::Arc::new((0..=most).map(|m| (m, by_models.get(&m).copied().unwrap_or(0))).collect()))
    })
    .await
}

/// The dashboard's data for its query, the filter resolved here once, with the models and
/// provinces read once. An unknown model or province is left out of the filter and an
/// unknown `district` only loses the trend's line: the page's form says next to the field
/// why.
pub async fn dashboard(db: &Db, q: &FigureQuery, lang: Lang) -> Result<DashboardData, LoadError> {
    let (models, provinces) = futures_util::future::try_join(figures::model_choices(db), figures::provinces(db)).await?;
    let filter = figures::page_filter(db, q, &models, &provinces).await?;
    let f = &filter;
    let country = figures::shows_country(f, &provinces);
    let mut districts = figures::trend_choices(db, f, &provinces).await?;
    let district = chosen_district(&districts, q.district.as_deref()).unwrap_or(None);
    if country {
        // A country's 700 districts in the trend's menu were a third of the page (and again
        // in its hydration data); a province chosen offers its own. A district already in
        // the address stays offered, so its line and the form keep it.
        districts.retain(|d| district.as_ref().is_some_and(|c| c.code == d.code));
    }
    // Aggregates that need nothing of each other, each on a pooled connection of its own:
    // at the national size each is milliseconds, and the first request after a write then
    // waits for both cores to run them, not for their sum on one.
    let (comparison, completeness, matrix, trend, counts) = futures_util::future::try_join5(
        figures::comparison(db, f, &provinces),
        figures::completeness(db, f),
        adoption_matrix(db, f, &models, &provinces),
        dashboard_trend(db, f, &provinces, district.as_ref(), lang),
        figures::home_counts(db),
    )
    .await?;
    let matrix = matrix.as_ref().clone();
    // The form offers the provinces of P (34 after the 2025 merger, 63 before), and one the
    // address names, so that it stays chosen.
    let mut offered = figures::provinces_during(db, f.period).await?;
    if let Some(named) = f.province.as_ref().and_then(|p| provinces.iter().find(|c| &c.code == p)) {
        if !offered.contains(named) {
            offered.push(named.clone());
        }
    }
    let funnel = crate::domain::Funnel::of(&comparison);
    let per_unit_charts = comparison.draws_each_unit();
    let spread_svg = if per_unit_charts {
        String::new()
    } else {
        charts::svg(&crate::charts::models_per_commune(&models_distribution(db, f).await?, lang))?
    };
    Ok(DashboardData {
        period: f.period.to_string(),
        funnel_svg: charts::svg(&crate::charts::funnel_plot(&funnel, lang))?,
        funnel,
        // Comparing many units the page shows the funnel and the models' spread instead:
        // a bar and an interval per commune or province are not drawn for nothing.
        adoption_svg: if per_unit_charts { charts::svg(&crate::charts::adoption_bars(&comparison, lang))? } else { String::new() },
        satisfaction_svg: if per_unit_charts {
            charts::svg(&crate::charts::satisfaction_intervals(&comparison, lang))?
        } else {
            String::new()
        },
        trend_svg: charts::svg(&crate::charts::trend_lines(&trend, lang))?,
        models_svg: if per_unit_charts { String::new() } else { charts::svg(&crate::charts::adoption_by_model(&matrix, lang))? },
        spread_svg,
        total: comparison.total(),
        reporting: reporting(&completeness),
        models,
        provinces: offered,
        districts,
        comparison,
        matrix,
        trend,
        counts,
        today: today(),
    })
}
