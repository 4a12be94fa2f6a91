//! What every area reads from the catalog: a product and its features,
//! the seller of documents, and today in the desk's time zone.

use facelic_invoice::Product;
use facelic_invoice::dates::Date;
use facelic_invoice::invoice::Party;

use super::{Desk, InputError, IssueError, Result};

impl Desk {
    /// The catalog product with this id (refused with the known ids).
    pub(crate) fn product(&self, id: &str) -> Result<&Product> {
        self.catalog.product(id).ok_or_else(|| {
            InputError::UnknownProduct {
                product: id.to_owned(),
                known: self.catalog.product_ids(),
            }
            .into()
        })
    }

    /// The features a license of `product` grants (refused when the
    /// catalog no longer lists the product of an existing order).
    pub(crate) fn features_of(&self, product: &str) -> Result<crate::FeatureSet> {
        self.catalog
            .product(product)
            .map(|p| p.features)
            .ok_or_else(|| IssueError::ProductGone(product.to_owned()).into())
    }

    /// The seller block of documents, from the catalog.
    pub(crate) fn seller(&self) -> Party {
        Party::seller(&self.catalog.invoicing)
    }

    /// Today in the desk's time zone (by the desk's clock).
    pub fn today(&self) -> Date {
        self.catalog.invoicing.time_zone.date(self.now())
    }
}
